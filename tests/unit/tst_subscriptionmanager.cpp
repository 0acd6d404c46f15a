// SubscriptionManager: both indexes agree after any sequence of operations, and offsets only advance.

#include "core/subscriptionmanager.h"

#include <QRandomGenerator>
#include <QTest>

#include <map>
#include <set>

using namespace wsinfra;

class TestSubscriptionManager : public QObject
{
    Q_OBJECT

private slots:
    void subscribeIndexesBothWays()
    {
        SubscriptionManager manager;
        QVERIFY(manager.subscribe(1, 10));
        QVERIFY(manager.subscribe(1, 11));
        QVERIFY(manager.subscribe(2, 10));
        QVERIFY(!manager.subscribe(2, 10));
        QCOMPARE(manager.subscribers(10), (QSet<ConnectionId>{1, 2}));
        QCOMPARE(manager.subscriptionCountOf(1), 2);
        QCOMPARE(manager.subscriptionCount(), 3);
        QCOMPARE(manager.billCount(), 2);
        QVERIFY(manager.isConsistent());
    }

    void unsubscribeRemovesEmptyEntries()
    {
        SubscriptionManager manager;
        manager.subscribe(1, 10);
        QVERIFY(manager.unsubscribe(1, 10));
        QVERIFY(!manager.unsubscribe(1, 10));
        QVERIFY(!manager.unsubscribe(9, 10));
        QCOMPARE(manager.billCount(), 0);
        QCOMPARE(manager.connectionCount(), 0);
        QVERIFY(manager.subscribers(10).isEmpty());
        QVERIFY(manager.isConsistent());
    }

    void removeConnectionForgetsEverything()
    {
        SubscriptionManager manager;
        manager.subscribe(1, 10);
        manager.subscribe(1, 11);
        manager.subscribe(2, 11);
        QList<qint64> removed = manager.removeConnection(1);
        std::sort(removed.begin(), removed.end());
        QCOMPARE(removed, (QList<qint64>{10, 11}));
        QCOMPARE(manager.subscribers(11), (QSet<ConnectionId>{2}));
        QCOMPARE(manager.subscriptionCount(), 1);
        QVERIFY(manager.isConsistent());
    }

    void offsetsOnlyAdvance()
    {
        SubscriptionManager manager;
        manager.subscribe(1, 10, 5);
        QCOMPARE(manager.lastOffset(1, 10), 5);
        QVERIFY(!manager.advance(1, 10, 5));
        QVERIFY(!manager.advance(1, 10, 3));
        QVERIFY(manager.advance(1, 10, 6));
        QCOMPARE(manager.lastOffset(1, 10), 6);
        QVERIFY(!manager.advance(1, 99, 1)); // not subscribed
        QVERIFY(!manager.advance(7, 10, 1));
        // Re-subscribing keeps the offset already reached.
        QVERIFY(!manager.subscribe(1, 10, 0));
        QCOMPARE(manager.lastOffset(1, 10), 6);
    }

    void randomOperationsKeepIndexesConsistent()
    {
        SubscriptionManager manager;
        std::map<ConnectionId, std::set<qint64>> model;
        QRandomGenerator random(20261126);
        for (int step = 0; step < 20'000; ++step) {
            const ConnectionId connection = random.bounded(50);
            const qint64 bill = random.bounded(40);
            switch (random.bounded(4)) {
            case 0:
            case 1:
                QCOMPARE(manager.subscribe(connection, bill), model[connection].insert(bill).second);
                break;
            case 2:
                QCOMPARE(manager.unsubscribe(connection, bill), model[connection].erase(bill) == 1);
                break;
            case 3:
                if (random.bounded(10) == 0) {
                    manager.removeConnection(connection);
                    model.erase(connection);
                }
                break;
            }
        }
        qsizetype total = 0;
        for (const auto &[connection, bills] : model) {
            QCOMPARE(manager.subscriptionCountOf(connection), qsizetype(bills.size()));
            for (qint64 bill : bills)
                QVERIFY(manager.isSubscribed(connection, bill));
            total += qsizetype(bills.size());
        }
        QCOMPARE(manager.subscriptionCount(), total);
        QVERIFY(manager.isConsistent());
    }
};

QTEST_GUILESS_MAIN(TestSubscriptionManager)
#include "tst_subscriptionmanager.moc"
