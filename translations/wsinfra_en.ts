<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en">
<context>
    <name>wsinfra::BroadcastPage</name>
    <message numerus="yes">
        <source>Valid JSON object: %n field(s), %1.</source>
        <translation>
            <numerusform>Valid JSON object: %n field, %1.</numerusform>
            <numerusform>Valid JSON object: %n fields, %1.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>delivered to %n</source>
        <translation>
            <numerusform>delivered to %n</numerusform>
            <numerusform>delivered to %n</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n live connection(s)</source>
        <translation>
            <numerusform>%n live connection</numerusform>
            <numerusform>%n live connections</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>wsinfra::ConnectionsPage</name>
    <message numerus="yes">
        <source>Disconnect the %n selected connections?</source>
        <translation>
            <numerusform>Disconnect the %n selected connection?</numerusform>
            <numerusform>Disconnect the %n selected connections?</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Closing %n connections...</source>
        <translation>
            <numerusform>Closing %n connection...</numerusform>
            <numerusform>Closing %n connections...</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1 of %n connections</source>
        <translation>
            <numerusform>%1 of %n connection</numerusform>
            <numerusform>%1 of %n connections</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>wsinfra::EventsPage</name>
    <message numerus="yes">
        <source>%1 of %n events</source>
        <translation>
            <numerusform>%1 of %n event</numerusform>
            <numerusform>%1 of %n events</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>wsinfra::LeaksPage</name>
    <message numerus="yes">
        <source>%n orphans</source>
        <translation>
            <numerusform>%n orphan</numerusform>
            <numerusform>%n orphans</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n growing</source>
        <translation>
            <numerusform>%n growing</numerusform>
            <numerusform>%n growing</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n orphaned entries</source>
        <translation>
            <numerusform>%n orphaned entry</numerusform>
            <numerusform>%n orphaned entries</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n growing series</source>
        <translation>
            <numerusform>%n growing series</numerusform>
            <numerusform>%n growing series</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n connections</source>
        <translation>
            <numerusform>%n connection</numerusform>
            <numerusform>%n connections</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n subscriptions</source>
        <translation>
            <numerusform>%n subscription</numerusform>
            <numerusform>%n subscriptions</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n bills</source>
        <translation>
            <numerusform>%n bill</numerusform>
            <numerusform>%n bills</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n queued messages</source>
        <translation>
            <numerusform>%n queued message</numerusform>
            <numerusform>%n queued messages</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n history entries</source>
        <translation>
            <numerusform>%n history entry</numerusform>
            <numerusform>%n history entries</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n inbox entries</source>
        <translation>
            <numerusform>%n inbox entry</numerusform>
            <numerusform>%n inbox entries</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>wsinfra::MainWindow</name>
    <message numerus="yes">
        <source>reconnecting in %n s</source>
        <translation>
            <numerusform>reconnecting in %n s</numerusform>
            <numerusform>reconnecting in %n s</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>wsinfra::MemoryPage</name>
    <message numerus="yes">
        <source>%n orphaned entries</source>
        <translation>
            <numerusform>%n orphaned entry</numerusform>
            <numerusform>%n orphaned entries</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n growing series</source>
        <translation>
            <numerusform>%n growing series</numerusform>
            <numerusform>%n growing series</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>wsinfra::SubscriptionsPage</name>
    <message numerus="yes">
        <source>%n bills followed, %1 subscriptions in all</source>
        <translation>
            <numerusform>%n bill followed, %1 subscriptions in all</numerusform>
            <numerusform>%n bills followed, %1 subscriptions in all</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1 of %n bills match</source>
        <translation>
            <numerusform>%1 of %n bill matches</numerusform>
            <numerusform>%1 of %n bills match</numerusform>
        </translation>
    </message>
</context>
</TS>
