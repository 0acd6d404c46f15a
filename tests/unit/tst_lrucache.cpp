#include "util/lrucache.h"

#include <QRandomGenerator>
#include <QString>
#include <QTest>

#include <algorithm>
#include <list>
#include <memory>

using namespace Qt::StringLiterals;
using namespace wsinfra;

namespace {

using Operations = QList<QString>;

// Runs a script of operations on a cache of ints keyed by ints: "p3" puts key 3 (value 30 + the
// number of puts so far), "g3" gets key 3, "r3" removes key 3, "c2" sets the capacity to 2.
void run(LRUCache<int, int> &cache, const Operations &operations)
{
    int puts = 0;
    for (const QString &operation : operations) {
        const int key = operation.mid(1).toInt();
        switch (operation.at(0).unicode()) {
        case 'p':
            cache.put(key, key * 10 + puts++);
            break;
        case 'g':
            cache.get(key);
            break;
        case 'r':
            cache.remove(key);
            break;
        case 'c':
            cache.setCapacity(key);
            break;
        default:
            QFAIL(qPrintable(u"bad operation in test script: "_s + operation));
        }
    }
}

} // namespace

class TestLruCache : public QObject
{
    Q_OBJECT

private slots:
    void empty()
    {
        LRUCache<QString, int> cache(3);
        QCOMPARE(cache.size(), 0);
        QCOMPARE(cache.capacity(), 3);
        QVERIFY(cache.isEmpty());
        QCOMPARE(cache.get(u"a"_s), nullptr);
        QVERIFY(!cache.contains(u"a"_s));
        QVERIFY(!cache.remove(u"a"_s));
    }

    void putAndGet()
    {
        LRUCache<QString, QString> cache(3);
        cache.put(u"a"_s, u"alpha"_s);
        cache.put(u"b"_s, u"beta"_s);
        QCOMPARE(cache.size(), 2);
        QVERIFY(cache.get(u"a"_s));
        QCOMPARE(*cache.get(u"a"_s), u"alpha"_s);
        QCOMPARE(*cache.get(u"b"_s), u"beta"_s);
        QCOMPARE(cache.get(u"c"_s), nullptr);
        // get() gives access to the stored value itself.
        *cache.get(u"a"_s) = u"changed"_s;
        QCOMPARE(*cache.get(u"a"_s), u"changed"_s);
    }

    // Scripts of operations and the keys left, most recently used first.
    void recencyOrder_data()
    {
        QTest::addColumn<int>("capacity");
        QTest::addColumn<Operations>("operations");
        QTest::addColumn<QList<int>>("keys");

        QTest::newRow("puts below capacity") << 3 << Operations{u"p1"_s, u"p2"_s} << QList<int>{2, 1};
        QTest::newRow("full") << 3 << Operations{u"p1"_s, u"p2"_s, u"p3"_s} << QList<int>{3, 2, 1};
        QTest::newRow("evicts the oldest")
            << 3 << Operations{u"p1"_s, u"p2"_s, u"p3"_s, u"p4"_s} << QList<int>{4, 3, 2};
        QTest::newRow("evicts in order") << 2 << Operations{u"p1"_s, u"p2"_s, u"p3"_s, u"p4"_s, u"p5"_s}
                                         << QList<int>{5, 4};
        QTest::newRow("get refreshes") << 3 << Operations{u"p1"_s, u"p2"_s, u"p3"_s, u"g1"_s, u"p4"_s}
                                       << QList<int>{4, 1, 3};
        QTest::newRow("get of a missing key changes nothing")
            << 3 << Operations{u"p1"_s, u"p2"_s, u"p3"_s, u"g9"_s, u"p4"_s} << QList<int>{4, 3, 2};
        QTest::newRow("overwrite refreshes")
            << 3 << Operations{u"p1"_s, u"p2"_s, u"p3"_s, u"p1"_s, u"p4"_s} << QList<int>{4, 1, 3};
        QTest::newRow("overwrite does not grow")
            << 2 << Operations{u"p1"_s, u"p1"_s, u"p1"_s, u"p2"_s} << QList<int>{2, 1};
        QTest::newRow("remove frees a place")
            << 3 << Operations{u"p1"_s, u"p2"_s, u"p3"_s, u"r2"_s, u"p4"_s} << QList<int>{4, 3, 1};
        QTest::newRow("remove the oldest") << 3 << Operations{u"p1"_s, u"p2"_s, u"r1"_s} << QList<int>{2};
        QTest::newRow("remove the newest") << 3 << Operations{u"p1"_s, u"p2"_s, u"r2"_s} << QList<int>{1};
        QTest::newRow("remove a missing key") << 3 << Operations{u"p1"_s, u"r7"_s} << QList<int>{1};
        QTest::newRow("put after removing all") << 2 << Operations{u"p1"_s, u"r1"_s, u"p2"_s} << QList<int>{2};
        QTest::newRow("capacity 1") << 1 << Operations{u"p1"_s, u"p2"_s, u"g1"_s, u"p3"_s} << QList<int>{3};
        QTest::newRow("capacity 0 stores nothing") << 0 << Operations{u"p1"_s, u"p2"_s, u"g1"_s} << QList<int>{};
        QTest::newRow("shrink evicts the least recently used")
            << 4 << Operations{u"p1"_s, u"p2"_s, u"p3"_s, u"p4"_s, u"g1"_s, u"c2"_s} << QList<int>{1, 4};
        QTest::newRow("shrink to 0") << 3 << Operations{u"p1"_s, u"p2"_s, u"c0"_s} << QList<int>{};
        QTest::newRow("shrink above size keeps all") << 5 << Operations{u"p1"_s, u"p2"_s, u"c3"_s} << QList<int>{2, 1};
        QTest::newRow("grow keeps all and makes room")
            << 2 << Operations{u"p1"_s, u"p2"_s, u"c3"_s, u"p3"_s} << QList<int>{3, 2, 1};
        QTest::newRow("from 0 to 2") << 0 << Operations{u"p1"_s, u"c2"_s, u"p2"_s, u"p3"_s, u"p4"_s}
                                     << QList<int>{4, 3};
    }

    void recencyOrder()
    {
        QFETCH(int, capacity);
        QFETCH(Operations, operations);
        QFETCH(QList<int>, keys);
        LRUCache<int, int> cache(capacity);
        run(cache, operations);
        QCOMPARE(cache.keys(), keys);
        QCOMPARE(cache.size(), keys.size());
        for (int key : keys)
            QVERIFY(cache.contains(key));
    }

    void overwriteReplacesTheValue()
    {
        LRUCache<int, QString> cache(2);
        cache.put(1, u"first"_s);
        cache.put(1, u"second"_s);
        QCOMPARE(cache.size(), 1);
        QCOMPARE(*cache.get(1), u"second"_s);
    }

    void containsDoesNotRefresh()
    {
        LRUCache<int, int> cache(2);
        cache.put(1, 10);
        cache.put(2, 20);
        QVERIFY(cache.contains(1));
        cache.put(3, 30);
        QVERIFY(!cache.contains(1));
        QVERIFY(cache.contains(2));
        QVERIFY(cache.contains(3));
    }

    void capacityZero()
    {
        LRUCache<QString, int> cache(0);
        cache.put(u"a"_s, 1);
        QCOMPARE(cache.size(), 0);
        QCOMPARE(cache.get(u"a"_s), nullptr);
        LRUCache<QString, int> negative(-5);
        QCOMPARE(negative.capacity(), 0);
        negative.put(u"a"_s, 1);
        QVERIFY(negative.isEmpty());
        negative.setCapacity(-1);
        QCOMPARE(negative.capacity(), 0);
    }

    void clearKeepsCapacity()
    {
        LRUCache<int, int> cache(3);
        run(cache, {u"p1"_s, u"p2"_s, u"p3"_s});
        cache.clear();
        QVERIFY(cache.isEmpty());
        QCOMPARE(cache.capacity(), 3);
        QCOMPARE(cache.get(1), nullptr);
        run(cache, {u"p4"_s, u"p5"_s, u"p6"_s, u"p7"_s});
        QCOMPARE(cache.keys(), (QList<int>{7, 6, 5}));
    }

    void evictedValuesAreDestroyed()
    {
        const auto tracked = std::make_shared<int>(0);
        LRUCache<int, std::shared_ptr<int>> cache(2);
        cache.put(1, tracked);
        cache.put(2, nullptr);
        QCOMPARE(tracked.use_count(), 2);
        cache.put(3, nullptr); // evicts 1
        QCOMPARE(tracked.use_count(), 1);
        cache.put(4, tracked);
        cache.remove(4);
        QCOMPARE(tracked.use_count(), 1);
        cache.put(5, tracked);
        cache.setCapacity(0);
        QCOMPARE(tracked.use_count(), 1);
    }

    void moveOnlyValues()
    {
        LRUCache<int, std::unique_ptr<int>> cache(2);
        cache.put(1, std::make_unique<int>(11));
        cache.put(1, std::make_unique<int>(12));
        QCOMPARE(**cache.get(1), 12);
    }

    void movedCacheStaysConsistent()
    {
        LRUCache<int, int> cache(2);
        run(cache, {u"p1"_s, u"p2"_s});
        LRUCache<int, int> moved(std::move(cache));
        QVERIFY(moved.get(1));
        moved.put(3, 30); // evicts 2 through the moved list
        QCOMPARE(moved.keys(), (QList<int>{3, 1}));
    }

    // A long random workload against a plain list model: same keys in the same order at every step.
    void randomisedAgainstModel()
    {
        QRandomGenerator random(20240611);
        LRUCache<int, int> cache(8);
        std::list<std::pair<int, int>> model; // most recently used first
        qsizetype capacity = 8;
        for (int step = 0; step < 20'000; ++step) {
            const int key = int(random.bounded(16));
            const quint32 action = random.bounded(100);
            const auto inModel =
                std::find_if(model.begin(), model.end(), [key](const auto &e) { return e.first == key; });
            if (action < 50) {
                cache.put(key, step);
                if (capacity == 0)
                    continue;
                if (inModel != model.end())
                    model.erase(inModel);
                else if (qsizetype(model.size()) >= capacity)
                    model.pop_back();
                model.emplace_front(key, step);
            } else if (action < 85) {
                const int *value = cache.get(key);
                QCOMPARE(value != nullptr, inModel != model.end());
                if (value) {
                    QCOMPARE(*value, inModel->second);
                    model.splice(model.begin(), model, inModel);
                }
            } else if (action < 97) {
                QCOMPARE(cache.remove(key), inModel != model.end());
                if (inModel != model.end())
                    model.erase(inModel);
            } else {
                capacity = qsizetype(random.bounded(10));
                cache.setCapacity(capacity);
                while (qsizetype(model.size()) > capacity)
                    model.pop_back();
            }
            QList<int> expected;
            for (const auto &entry : model)
                expected.append(entry.first);
            QCOMPARE(cache.keys(), expected);
            QVERIFY(cache.size() <= cache.capacity());
        }
    }
};

QTEST_GUILESS_MAIN(TestLruCache)
#include "tst_lrucache.moc"
