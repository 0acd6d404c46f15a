#include "util/utf8.h"

#include <QRandomGenerator>
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

    // RFC 6455 rejects a text message that is not well-formed UTF-8 (RFC 3629); the hostile forms are
    // the ones of Markus Kuhn's decoder test.
    void isValidUtf8_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<bool>("valid");
        QTest::newRow("empty") << QByteArray() << true;
        QTest::newRow("ascii, longer than a word") << "{\"type\":\"publish\",\"channel\":\"news\"}"_ba << true;
        QTest::newRow("NUL") << "a\0b"_ba << true;
        QTest::newRow("mixed") << u"Grüße, 法案 € 😀 done"_s.toUtf8() << true;
        QTest::newRow("U+0080") << "\xC2\x80"_ba << true;
        QTest::newRow("U+07FF") << "\xDF\xBF"_ba << true;
        QTest::newRow("U+0800") << "\xE0\xA0\x80"_ba << true;
        QTest::newRow("U+D7FF") << "\xED\x9F\xBF"_ba << true;
        QTest::newRow("U+E000") << "\xEE\x80\x80"_ba << true;
        QTest::newRow("U+FFFF") << "\xEF\xBF\xBF"_ba << true;
        QTest::newRow("U+10000") << "\xF0\x90\x80\x80"_ba << true;
        QTest::newRow("U+10FFFF") << "\xF4\x8F\xBF\xBF"_ba << true;
        QTest::newRow("multi-byte after 8 ascii") << "12345678\xC3\xA4"_ba << true;
        QTest::newRow("overlong NUL (2)") << "\xC0\x80"_ba << false;
        QTest::newRow("overlong U+007F (2)") << "\xC1\xBF"_ba << false;
        QTest::newRow("overlong U+07FF (3)") << "\xE0\x9F\xBF"_ba << false;
        QTest::newRow("overlong U+FFFF (4)") << "\xF0\x8F\xBF\xBF"_ba << false;
        QTest::newRow("overlong '/' (5)") << "\xF8\x80\x80\x80\xAF"_ba << false;
        QTest::newRow("high surrogate") << "\xED\xA0\x80"_ba << false;
        QTest::newRow("low surrogate") << "\xED\xBF\xBF"_ba << false;
        QTest::newRow("surrogate pair as CESU-8") << "\xED\xA0\xBD\xED\xB8\x80"_ba << false;
        QTest::newRow("U+110000") << "\xF4\x90\x80\x80"_ba << false;
        QTest::newRow("F5 lead") << "\xF5\x80\x80\x80"_ba << false;
        QTest::newRow("FE") << "\xFE"_ba << false;
        QTest::newRow("FF") << "\xFF"_ba << false;
        QTest::newRow("lone continuation") << "\x80"_ba << false;
        QTest::newRow("continuation after 8 ascii") << "12345678\xBF"_ba << false;
        QTest::newRow("2-byte lead then ascii") << "\xC3("_ba << false;
        QTest::newRow("3-byte lead, bad second continuation") << "\xE2\x82("_ba << false;
        QTest::newRow("4-byte lead, bad third continuation") << "\xF0\x9F\x98("_ba << false;
        QTest::newRow("truncated 2-byte at the end") << "ok\xC3"_ba << false;
        QTest::newRow("truncated 3-byte at the end") << "ok\xE2\x82"_ba << false;
        QTest::newRow("truncated 4-byte at the end") << "ok\xF0\x9F\x98"_ba << false;
        QTest::newRow("valid then invalid far on") << (QByteArray(1000, 'a') + "\xC0\xAF"_ba) << false;
    }

    void isValidUtf8()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(bool, valid);
        QCOMPARE(wsinfra::isValidUtf8(bytes), valid);
    }

    // Every scalar value in its shortest form is valid; every surrogate, every longer (overlong) form
    // and every value past U+10FFFF is not.
    void isValidUtf8EveryCodePoint()
    {
        // Encodes into a stack buffer: two million heap allocations make this slow under ASan.
        char buffer[4];
        const auto encode = [&buffer](char32_t value, int length) {
            static const uchar leads[] = {0x00, 0x00, 0xC0, 0xE0, 0xF0};
            for (int i = length - 1; i > 0; --i) {
                buffer[i] = char(0x80 | (value & 0x3F));
                value >>= 6;
            }
            buffer[0] = char(leads[length] | value);
            return QByteArrayView(buffer, length);
        };
        const auto shortest = [](char32_t value) {
            return value < 0x80 ? 1 : value < 0x800 ? 2 : value < 0x10000 ? 3 : 4;
        };
        for (char32_t value = 0; value < 0x200000; ++value) {
            const int length = shortest(value);
            const bool scalar = value <= 0x10FFFF && (value < 0xD800 || value > 0xDFFF);
            if (wsinfra::isValidUtf8(encode(value, length)) != scalar)
                QFAIL(qPrintable(u"U+%1 in %2 bytes"_s.arg(quint32(value), 0, 16).arg(length)));
            for (int longer = length + 1; longer <= 4; ++longer) {
                if (wsinfra::isValidUtf8(encode(value, longer)))
                    QFAIL(qPrintable(u"overlong U+%1 in %2 bytes"_s.arg(quint32(value), 0, 16).arg(longer)));
            }
        }
    }

    // Against Qt's decoder: bytes are valid exactly when they survive QString::fromUtf8 + toUtf8 (Qt's
    // encoder only writes valid UTF-8 and its decoder replaces what is malformed). Random strings of the
    // bytes that matter at sequence boundaries.
    void isValidUtf8AgreesWithARoundTrip()
    {
        static const uchar alphabet[] = {'a',  0x00, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2,
                                         0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF3, 0xF4, 0xF5, 0xFF};
        QRandomGenerator random(3629);
        int valid = 0;
        for (int round = 0; round < 50'000; ++round) {
            QByteArray bytes;
            const int length = int(random.bounded(13));
            for (int i = 0; i < length; ++i)
                bytes.append(char(alphabet[random.bounded(int(sizeof alphabet))]));
            const bool expected = QString::fromUtf8(bytes).toUtf8() == bytes;
            if (wsinfra::isValidUtf8(bytes) != expected)
                QFAIL(qPrintable(QString::fromLatin1(bytes.toHex(' '))));
            valid += expected;
        }
        // Both outcomes must be common, or the comparison says little.
        QVERIFY2(valid > 2'000 && valid < 48'000, qPrintable(QString::number(valid)));
    }
};

QTEST_GUILESS_MAIN(TestUtf8)
#include "tst_utf8.moc"
