#include "util/circularbuffer.h"

#include <QRandomGenerator>
#include <QString>
#include <QTest>

#include <deque>
#include <iterator>
#include <memory>
#include <vector>

using namespace Qt::StringLiterals;
using namespace wsinfra;

static_assert(std::forward_iterator<CircularBuffer<int>::const_iterator>);

namespace {

std::vector<int> contents(const CircularBuffer<int> &buffer)
{
    std::vector<int> values;
    for (const int value : buffer)
        values.push_back(value);
    return values;
}

CircularBuffer<int> filled(qsizetype capacity, int from, int to)
{
    CircularBuffer<int> buffer(capacity);
    for (int i = from; i <= to; ++i)
        buffer.push(i);
    return buffer;
}

} // namespace

class TestCircularBuffer : public QObject
{
    Q_OBJECT

private slots:
    void empty();
    void pushUntilFull();
    void wrapAround();
    void zeroCapacity();
    void negativeCapacityIsZero();
    void clear();
    void shrinkKeepsNewest_data();
    void shrinkKeepsNewest();
    void grow();
    void setCapacityZeroAndBack();
    void removeFront_data();
    void removeFront();
    void removeFrontThenPush();
    void mutableAccess();
    void iterators();
    void copiesAreIndependent();
    void moveOnlyValues();
    void droppedValuesAreDestroyed();
    void randomisedAgainstDeque();

    // One buffer per bill with a capacity of 1000: storage must follow the contents, not the capacity.
    void storageGrowsWithContentsAndIsReleasedWhenEmpty()
    {
        CircularBuffer<int> buffer(1000);
        QCOMPARE(buffer.allocatedSlots(), 0);
        for (int i = 0; i < 3; ++i)
            buffer.push(i);
        QVERIFY(buffer.allocatedSlots() >= 3 && buffer.allocatedSlots() <= 4);
        for (int i = 3; i < 1500; ++i)
            buffer.push(i);
        QCOMPARE(buffer.allocatedSlots(), 1000);
        QCOMPARE(buffer.front(), 500);
        QCOMPARE(buffer.back(), 1499);
        buffer.removeFront(999);
        QCOMPARE(buffer.front(), 1499);
        QCOMPARE(buffer.allocatedSlots(), 1000);
        buffer.removeFront(1);
        QCOMPARE(buffer.allocatedSlots(), 0);
        buffer.push(7);
        QCOMPARE(buffer.front(), 7);
        buffer.clear();
        QCOMPARE(buffer.allocatedSlots(), 0);
        buffer.setCapacity(2);
        for (int i = 0; i < 10; ++i)
            buffer.push(i);
        QCOMPARE(buffer.allocatedSlots(), 2);
        QCOMPARE(buffer.front(), 8);
    }
};

void TestCircularBuffer::empty()
{
    const CircularBuffer<QString> buffer(4);
    QCOMPARE(buffer.size(), 0);
    QCOMPARE(buffer.capacity(), 4);
    QVERIFY(buffer.isEmpty());
    QVERIFY(!buffer.isFull());
    QVERIFY(buffer.begin() == buffer.end());
}

void TestCircularBuffer::pushUntilFull()
{
    CircularBuffer<QString> buffer(3);
    buffer.push(u"a"_s);
    buffer.push(u"b"_s);
    QCOMPARE(buffer.size(), 2);
    QVERIFY(!buffer.isEmpty());
    QVERIFY(!buffer.isFull());
    QCOMPARE(buffer.front(), u"a"_s);
    QCOMPARE(buffer.back(), u"b"_s);
    buffer.push(u"c"_s);
    QVERIFY(buffer.isFull());
    QCOMPARE(buffer.at(0), u"a"_s);
    QCOMPARE(buffer.at(1), u"b"_s);
    QCOMPARE(buffer.at(2), u"c"_s);
}

void TestCircularBuffer::wrapAround()
{
    CircularBuffer<int> buffer(3);
    for (int i = 1; i <= 7; ++i) {
        buffer.push(i);
        QCOMPARE(buffer.back(), i);
        QCOMPARE(buffer.front(), std::max(1, i - 2));
        QCOMPARE(buffer.size(), std::min(i, 3));
    }
    QCOMPARE(contents(buffer), (std::vector<int>{5, 6, 7}));
    QCOMPARE(buffer.at(0), 5);
    QCOMPARE(buffer.at(2), 7);
    QCOMPARE(buffer.capacity(), 3);
}

void TestCircularBuffer::zeroCapacity()
{
    CircularBuffer<int> buffer(0);
    buffer.push(1);
    buffer.push(2);
    QCOMPARE(buffer.size(), 0);
    QCOMPARE(buffer.capacity(), 0);
    QVERIFY(buffer.isEmpty());
    QVERIFY(buffer.isFull());
    QVERIFY(buffer.begin() == buffer.end());
    buffer.removeFront(3);
    buffer.clear();
    QCOMPARE(buffer.size(), 0);
}

void TestCircularBuffer::negativeCapacityIsZero()
{
    CircularBuffer<int> buffer(-5);
    QCOMPARE(buffer.capacity(), 0);
    buffer.push(1);
    QVERIFY(buffer.isEmpty());
    buffer.setCapacity(-1);
    QCOMPARE(buffer.capacity(), 0);
}

void TestCircularBuffer::clear()
{
    CircularBuffer<int> buffer = filled(3, 1, 5);
    buffer.clear();
    QVERIFY(buffer.isEmpty());
    QCOMPARE(buffer.capacity(), 3);
    QVERIFY(buffer.begin() == buffer.end());
    buffer.push(9);
    buffer.push(10);
    QCOMPARE(contents(buffer), (std::vector<int>{9, 10}));
}

void TestCircularBuffer::shrinkKeepsNewest_data()
{
    QTest::addColumn<int>("pushed");
    QTest::addColumn<qsizetype>("newCapacity");

    QTest::newRow("not full, shrink above size") << 2 << qsizetype(3);
    QTest::newRow("not full, shrink below size") << 4 << qsizetype(2);
    QTest::newRow("full, not wrapped") << 5 << qsizetype(3);
    QTest::newRow("wrapped") << 13 << qsizetype(3);
    QTest::newRow("wrapped, to one") << 13 << qsizetype(1);
}

void TestCircularBuffer::shrinkKeepsNewest()
{
    QFETCH(int, pushed);
    QFETCH(qsizetype, newCapacity);

    CircularBuffer<int> buffer = filled(5, 1, pushed);
    std::deque<int> expected;
    for (int i = std::max(1, pushed - 4); i <= pushed; ++i)
        expected.push_back(i);

    buffer.setCapacity(newCapacity);
    while (qsizetype(expected.size()) > newCapacity)
        expected.pop_front();
    QCOMPARE(buffer.capacity(), newCapacity);
    QCOMPARE(contents(buffer), std::vector<int>(expected.begin(), expected.end()));

    // The shrunk buffer wraps correctly from its new layout.
    buffer.push(100);
    expected.push_back(100);
    if (qsizetype(expected.size()) > newCapacity)
        expected.pop_front();
    QCOMPARE(contents(buffer), std::vector<int>(expected.begin(), expected.end()));
}

void TestCircularBuffer::grow()
{
    CircularBuffer<int> buffer = filled(3, 1, 5); // 3 4 5, wrapped
    buffer.setCapacity(5);
    QCOMPARE(buffer.capacity(), 5);
    QVERIFY(!buffer.isFull());
    QCOMPARE(contents(buffer), (std::vector<int>{3, 4, 5}));
    buffer.push(6);
    buffer.push(7);
    QCOMPARE(contents(buffer), (std::vector<int>{3, 4, 5, 6, 7}));
    buffer.push(8);
    QCOMPARE(contents(buffer), (std::vector<int>{4, 5, 6, 7, 8}));

    buffer.setCapacity(5); // unchanged capacity keeps everything
    QCOMPARE(contents(buffer), (std::vector<int>{4, 5, 6, 7, 8}));
}

void TestCircularBuffer::setCapacityZeroAndBack()
{
    CircularBuffer<int> buffer = filled(3, 1, 3);
    buffer.setCapacity(0);
    QVERIFY(buffer.isEmpty());
    buffer.push(1);
    QVERIFY(buffer.isEmpty());
    buffer.setCapacity(2);
    buffer.push(1);
    buffer.push(2);
    buffer.push(3);
    QCOMPARE(contents(buffer), (std::vector<int>{2, 3}));
}

void TestCircularBuffer::removeFront_data()
{
    QTest::addColumn<int>("pushed");
    QTest::addColumn<qsizetype>("count");

    QTest::newRow("none") << 3 << qsizetype(0);
    QTest::newRow("negative") << 3 << qsizetype(-2);
    QTest::newRow("one, not wrapped") << 3 << qsizetype(1);
    QTest::newRow("two, wrapped") << 6 << qsizetype(2);
    QTest::newRow("all, wrapped") << 6 << qsizetype(4);
    QTest::newRow("more than size") << 6 << qsizetype(100);
    QTest::newRow("from empty") << 0 << qsizetype(1);
}

void TestCircularBuffer::removeFront()
{
    QFETCH(int, pushed);
    QFETCH(qsizetype, count);

    CircularBuffer<int> buffer = filled(4, 1, pushed);
    std::deque<int> expected;
    for (int i = std::max(1, pushed - 3); i <= pushed; ++i)
        expected.push_back(i);

    buffer.removeFront(count);
    for (qsizetype i = 0; i < count && !expected.empty(); ++i)
        expected.pop_front();
    QCOMPARE(buffer.size(), qsizetype(expected.size()));
    QCOMPARE(contents(buffer), std::vector<int>(expected.begin(), expected.end()));
    QCOMPARE(buffer.capacity(), 4);
}

void TestCircularBuffer::removeFrontThenPush()
{
    CircularBuffer<int> buffer = filled(4, 1, 6); // 3 4 5 6, head in the middle
    buffer.removeFront(3);
    QCOMPARE(buffer.front(), 6);
    for (int i = 7; i <= 10; ++i)
        buffer.push(i);
    QCOMPARE(contents(buffer), (std::vector<int>{7, 8, 9, 10}));
    buffer.removeFront(4);
    buffer.push(11);
    QCOMPARE(contents(buffer), (std::vector<int>{11}));
    QCOMPARE(buffer.front(), buffer.back());
}

void TestCircularBuffer::mutableAccess()
{
    CircularBuffer<int> buffer = filled(3, 1, 4); // 2 3 4
    buffer.front() = 20;
    buffer.back() = 40;
    buffer.at(1) = 30;
    QCOMPARE(contents(buffer), (std::vector<int>{20, 30, 40}));
}

void TestCircularBuffer::iterators()
{
    CircularBuffer<QString> buffer(3);
    for (const QString &value : {u"a"_s, u"bb"_s, u"ccc"_s, u"dddd"_s})
        buffer.push(value);

    auto it = buffer.begin();
    QCOMPARE(*it, u"bb"_s);
    QCOMPARE(it->size(), 2);
    const auto previous = it++;
    QCOMPARE(*previous, u"bb"_s);
    QCOMPARE(*it, u"ccc"_s);
    QCOMPARE(*++it, u"dddd"_s);
    QVERIFY(++it == buffer.end());
    QCOMPARE(std::distance(buffer.begin(), buffer.end()), 3);
    QCOMPARE(std::vector<QString>(buffer.cbegin(), buffer.cend()),
             (std::vector<QString>{u"bb"_s, u"ccc"_s, u"dddd"_s}));
}

void TestCircularBuffer::copiesAreIndependent()
{
    CircularBuffer<int> original = filled(3, 1, 4);
    CircularBuffer<int> copy = original;
    copy.push(5);
    original.removeFront(1);
    QCOMPARE(contents(original), (std::vector<int>{3, 4}));
    QCOMPARE(contents(copy), (std::vector<int>{3, 4, 5}));

    CircularBuffer<int> moved = std::move(copy);
    QCOMPARE(contents(moved), (std::vector<int>{3, 4, 5}));
}

void TestCircularBuffer::moveOnlyValues()
{
    CircularBuffer<std::unique_ptr<int>> buffer(2);
    for (int i = 1; i <= 5; ++i)
        buffer.push(std::make_unique<int>(i));
    QCOMPARE(*buffer.front(), 4);
    QCOMPARE(*buffer.back(), 5);
    buffer.setCapacity(3);
    buffer.push(std::make_unique<int>(6));
    QCOMPARE(*buffer.at(0), 4);
    QCOMPARE(*buffer.at(2), 6);
    buffer.setCapacity(1);
    QCOMPARE(*buffer.front(), 6);
}

void TestCircularBuffer::droppedValuesAreDestroyed()
{
    // A history buffer of large payloads must release them when they leave, not when the slot is reused.
    const auto tracked = std::make_shared<int>(0);
    CircularBuffer<std::shared_ptr<int>> buffer(3);

    buffer.push(tracked);
    QCOMPARE(tracked.use_count(), 2);
    buffer.removeFront(1);
    QCOMPARE(tracked.use_count(), 1);

    buffer.push(tracked);
    buffer.clear();
    QCOMPARE(tracked.use_count(), 1);

    buffer.push(tracked);
    for (int i = 0; i < 3; ++i)
        buffer.push(std::make_shared<int>(i));
    QCOMPARE(tracked.use_count(), 1); // overwritten

    buffer.push(tracked);
    buffer.setCapacity(1);
    QCOMPARE(tracked.use_count(), 2); // newest is kept
    buffer.push(std::make_shared<int>(9));
    QCOMPARE(tracked.use_count(), 1);

    {
        CircularBuffer<std::shared_ptr<int>> scoped(2);
        scoped.push(tracked);
        scoped.push(tracked);
        QCOMPARE(tracked.use_count(), 3);
    }
    QCOMPARE(tracked.use_count(), 1);
}

void TestCircularBuffer::randomisedAgainstDeque()
{
    QRandomGenerator random(20240601); // fixed seed: a failure must reproduce
    CircularBuffer<int> buffer(5);
    std::deque<int> model;
    qsizetype capacity = 5;

    for (int step = 0; step < 50'000; ++step) {
        const quint32 operation = random.bounded(100u);
        if (operation < 60) {
            const int value = int(random.bounded(1'000'000u));
            buffer.push(value);
            if (capacity > 0) {
                model.push_back(value);
                if (qsizetype(model.size()) > capacity)
                    model.pop_front();
            }
        } else if (operation < 80) {
            const qsizetype count = qsizetype(random.bounded(int(capacity) + 3)) - 1; // includes -1 and > size
            buffer.removeFront(count);
            for (qsizetype i = 0; i < count && !model.empty(); ++i)
                model.pop_front();
        } else if (operation < 95) {
            capacity = qsizetype(random.bounded(17u));
            buffer.setCapacity(capacity);
            while (qsizetype(model.size()) > capacity)
                model.pop_front();
        } else {
            buffer.clear();
            model.clear();
        }

        QCOMPARE(buffer.size(), qsizetype(model.size()));
        QCOMPARE(buffer.capacity(), capacity);
        QCOMPARE(buffer.isEmpty(), model.empty());
        QCOMPARE(buffer.isFull(), qsizetype(model.size()) == capacity);
        if (!model.empty()) {
            QCOMPARE(buffer.front(), model.front());
            QCOMPARE(buffer.back(), model.back());
            const qsizetype index = qsizetype(random.bounded(quint32(model.size())));
            QCOMPARE(buffer.at(index), model.at(std::size_t(index)));
        }
        QCOMPARE(contents(buffer), std::vector<int>(model.begin(), model.end()));
    }
}

QTEST_GUILESS_MAIN(TestCircularBuffer)
#include "tst_circularbuffer.moc"
