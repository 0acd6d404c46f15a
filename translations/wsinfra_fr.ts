<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr">
<context>
    <name>wsinfra::BroadcastPage</name>
    <message>
        <source>Status change</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Vote scheduled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Amendment tabled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Royal assent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A followed bill moved</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Vote reminder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Account notice</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scheduled maintenance</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sitting suspended</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bill update</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>User notification</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Broadcast to everyone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Format</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Send</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>e.g. 7</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>e.g. amy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>optional</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A repeat with the same key within the service&apos;s dedupe window is answered with the first message&apos;s id and is not delivered again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fills the editor with a typical payload</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pretty-print the payload</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{&quot;status&quot;: &quot;passed_second_reading&quot;, ...}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Publish the message (Ctrl+Return)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing sent yet. The service&apos;s answer to the last message shows here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Target</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Result</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send &amp;to:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Bill id:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;User id:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Idempotency &amp;key:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Payload (a JSON object, sent to the clients as &quot;data&quot;):</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Answer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>History</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Newest first. Double-click a row to load its message into the editor.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Templates...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type a JSON object, or pick a template.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The payload must be a JSON object ({...}), not an array or a single value.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>control character U+%1 (write it as \u%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not valid JSON at line %1, column %2 (offset %3): %4.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Valid JSON object: %n field(s), %1.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Enter the id of the bill whose subscribers get the update.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter the id of the user whose clients get the notification.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot be sent: %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>everyone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not connected to a service: connect first (File &gt; Connect).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting for the answer to the last message...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Correct the recipient first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Correct the payload first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ready: %1 to %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;Not sent:&lt;/b&gt; the console is not connected to the service.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sent. Waiting for the service&apos;s answer...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Message id:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>offset %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Offset:</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>delivered to %n</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Delivered:</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n live connection(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>duplicate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Duplicate: the service had seen this idempotency key; nothing was delivered again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>stored</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stored in the user&apos;s inbox until one of their clients acknowledges it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only this node&apos;s clients got it: the cluster link is down.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Published</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>refused: %1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refused by the service</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no answer: the link to the service dropped (the message may have been published)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No answer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>waiting for the answer...</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wsinfra::ChartView</name>
    <message>
        <source>Save as &amp;PNG...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save chart</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PNG image (*.png)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wsinfra::ConnectionDialog</name>
    <message>
        <source>&amp;Remember the token on this computer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connect to a service</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New service</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WSINFRA_CONTROL_TOKEN of the service</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stored in clear text in your settings file. Leave unticked on shared computers.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Connect</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recent:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Host:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Port:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Token:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The host must be a host name or an address.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The service needs its control token.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wsinfra::ConnectionsModel</name>
    <message>
        <source>Id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>User</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Transport</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connected since</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bills</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Queued</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last seen</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wsinfra::ConnectionsPage</name>
    <message>
        <source>Id:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>User:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Address:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Transport:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connected since:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Queued for it:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last activity:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Disconnect</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Selected connection</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select a connection to see its details and the bills it follows.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Filter by id, user, address or transport</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Close the selected connections (code 4503). Their clients may reconnect.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bills followed:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Disconnect connection %1 of user %2?</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Disconnect the %n selected connections?</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>The service closes them with code 4503; their clients may reconnect.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not connected to a service: nothing was sent.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Closing connection %1...</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Closing %n connections...</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Connection %1 was closed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connection %1 had already gone.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not close connection %1: %2 (%3)</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%1 of %n connections</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Bill %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Disconnect...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy &amp;id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy &amp;user</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wsinfra::EventsModel</name>
    <message>
        <source>Time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Level</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Category</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Message</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wsinfra::EventsPage</name>
    <message>
        <source>Error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Warning</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Info</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pause</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All levels</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Warnings and errors</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Errors</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Filter by category or message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop following the newest events, to read in peace. Events still arrive.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resume</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show:</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%1 of %n events</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>%1 (paused)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wsinfra::LeaksPage</name>
    <message>
        <source>Reports</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A report comes every minute while connected; &quot;Analyse now&quot; on the Memory page asks for one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No leak report yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Structure</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Entries</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Estimated size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Per entry</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Share</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Series</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Growth</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Slope per minute</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Confidence (R²)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>From</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>To</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Window</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Samples</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connections growth</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Shard</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connection</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Detail</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1
%2, %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n orphans</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n growing</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Leak report of %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No orphaned entries and no series growing on its own.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Findings: %1 and %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n orphaned entries</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n growing series</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Process: %1 resident of a %2 budget (%3 %), level %4.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Service: %1, %2 on %3, %4 (%5), %6, %7.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n connections</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n subscriptions</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n bills</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n queued messages</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n history entries</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n inbox entries</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Growth analysis over %1 of at most %2 samples.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 %</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Total estimated: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Memory estimates (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Growth trends (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Orphans (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Warnings (%1)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wsinfra::MainWindow</name>
    <message>
        <source>wsinfra console</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>reconnecting in %n s</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Refused by the service: %1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot connect: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The service sent an update this console cannot read (%1); asked for a fresh snapshot.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Overview</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connections</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Memory</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Leaks</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Subscriptions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Broadcast</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Events</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Connect...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Disconnect</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Export snapshot...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;About wsinfra console</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>About &amp;Qt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>wsinfra console - %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export snapshot</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Snapshot as JSON (*.json);;Time series and tables as CSV (*.csv)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exported to %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>About wsinfra console</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;wsinfra console %1&lt;/b&gt;&lt;/p&gt;&lt;p&gt;The operations console of the wsinfra real-time service: live connections, memory pressure, leak reports, subscriptions and broadcasts, over the service&apos;s control port.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Live</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lagging</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connecting...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Disconnected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Disconnected, %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>update %1 at %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wsinfra::MemoryPage</name>
    <message>
        <source>Normal</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Warning</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Critical</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Emergency</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Analyse now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Current</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resident memory</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Budget</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pressure</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Level</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>5 minutes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1 hour</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ask the service for a leak report now (the Leaks page shows it in full)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Show:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Memory pressure and resident size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pressure (% of budget)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resident memory (MB)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pressure (%)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Back to normal</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Became warning</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Became critical</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Became emergency</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dots mark where the memory level changed, in the colour of the new level (green normal, amber warning, orange critical, red emergency); point at one for details.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not connected to a service: no analysis is possible now.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Analysing…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The analysis failed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The link went down before the analysis came.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 %</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 threshold (%2 %)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Analysis of %1: %2, %3.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n orphaned entries</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n growing series</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Growing: %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The Leaks page shows the full report.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: memory level %2 → %3 at %4 %</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: memory level changed at %2 %</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wsinfra::OverviewPage</name>
    <message>
        <source>Normal</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Warning</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Critical</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Emergency</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>None</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Caches shrunk</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delivery throttled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connections shed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Step %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Health</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Errors</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Warnings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Key figures</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Active connections</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unique users</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Peak connections</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connections since start</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Messages in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Messages out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Latency p50</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Latency p99</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Uptime</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nodes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Memory</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Degradation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connections, last 5 minutes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Messages per second, last 5 minutes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>In</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 d %2 h</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Healthy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Degraded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unhealthy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unknown</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last health check: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No errors</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No warnings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 /s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Started %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1 (single node)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cluster: connected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cluster: unreachable</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2 %)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 resident of a %2 budget</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connections shed so far: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wsinfra::SubscriptionsModel</name>
    <message>
        <source>Bill</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Subscribers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Users</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wsinfra::SubscriptionsPage</name>
    <message>
        <source>Subscribers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Search a bill id, or a user</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Double-click a user to see every bill it follows.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Most-followed bills</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bill</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n bills followed, %1 subscriptions in all</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1 of %n bills match</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Followers (select a bill)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Followers of bill %1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Most-followed bills: no subscriptions yet</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wsinfra::displayBytes</name>
    <message>
        <source>%1 bytes</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
