#include "util/utf8.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace wsinfra;

class TestUtf8 : public QObject
{
    Q_OBJECT

private slots:
    // The length must be what QString::toUtf8() produces, for every kind of text a client or a
    // publisher may send, malformed UTF-16 included.
    void lengthMatchesTheEncoder_data()
    {
        QTest::addColumn<QString>("text");
        QTest::newRow("empty") << QString();
        QTest::newRow("ascii") << u"{\"type\":\"ping\"}"_s;
        QTest::newRow("latin-1") << u"Änderung über Größe"_s;
        QTest::newRow("three-byte") << u"法案 €"_s;
        QTest::newRow("surrogate pair") << u"vote 🗳️ done"_s;
        QTest::newRow("pair at the end") << QString(u"x\U0001F600"_s);
        QTest::newRow("lone high surrogate at the end") << QString(QChar(0xD83D));
        QTest::newRow("lone high surrogate inside") << (u"a"_s + QChar(0xD83D) + u"b"_s);
        QTest::newRow("lone low surrogate") << (u"a"_s + QChar(0xDE00) + u"b"_s);
        QTest::newRow("reversed pair") << (QString(QChar(0xDE00)) + QChar(0xD83D));
        QTest::newRow("NUL") << QString(QChar(0)) + u"after"_s;
        QTest::newRow("U+007F / U+0080 / U+07FF / U+0800")
            << (QString(QChar(0x7F)) + QChar(0x80) + QChar(0x7FF) + QChar(0x800));
        QTest::newRow("U+FFFF") << QString(QChar(0xFFFF));
        QTest::newRow("long") << QString(100'000, QChar(0x4E00));
    }

    void lengthMatchesTheEncoder()
    {
        QFETCH(QString, text);
        QCOMPARE(utf8Length(text), text.toUtf8().size());
    }
};

QTEST_GUILESS_MAIN(TestUtf8)
#include "tst_utf8.moc"
