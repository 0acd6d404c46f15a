#include "ui/pages/leakspage.h"

#include "consolesession.h"
#include "models/modelsupport.h"

#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QListWidget>
#include <QLocale>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableWidget>
#include <QTabWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>

using namespace Qt::StringLiterals;

namespace wsinfra {

namespace {

const QColor CleanColour(0x2e, 0x7d, 0x32);
const QColor FindingColour(0xc6, 0x28, 0x28);

constexpr int SortRole = Qt::UserRole;

// A cell that sorts by the raw number in SortRole rather than by its display text ("1.2 MB" < "900 bytes").
class NumberItem : public QTableWidgetItem
{
public:
    NumberItem(const QString &text, double value) : QTableWidgetItem(text)
    {
        setData(SortRole, value);
        setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    }
    bool operator<(const QTableWidgetItem &other) const override
    {
        return data(SortRole).toDouble() < other.data(SortRole).toDouble();
    }
};

double realOf(const QJsonValue &value)
{
    const double number = value.isDouble() ? value.toDouble() : 0.0;
    return std::isfinite(number) ? number : 0.0;
}

int clampedInt(qint64 value)
{
    return int(std::clamp<qint64>(value, 0, std::numeric_limits<int>::max()));
}

// A read-only, sortable table whose `stretchColumn` takes the width the others leave.
QTableWidget *newTable(QWidget *parent, const QString &objectName, const QStringList &headers, int stretchColumn)
{
    auto *table = new QTableWidget(0, int(headers.size()), parent);
    table->setObjectName(objectName);
    table->setHorizontalHeaderLabels(headers);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setAlternatingRowColors(true);
    table->verticalHeader()->hide();
    table->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    table->horizontalHeader()->setSectionResizeMode(stretchColumn, QHeaderView::Stretch);
    table->setSortingEnabled(true);
    return table;
}

// Fills `table` with `rows` of items, sorting switched off meanwhile so that the rows stay whole.
void fill(QTableWidget *table, const QList<QList<QTableWidgetItem *>> &rows)
{
    const int sortColumn = table->horizontalHeader()->sortIndicatorSection();
    const Qt::SortOrder order = table->horizontalHeader()->sortIndicatorOrder();
    table->setSortingEnabled(false);
    table->setRowCount(int(rows.size()));
    for (int row = 0; row < int(rows.size()); ++row) {
        for (int column = 0; column < int(rows.at(row).size()); ++column)
            table->setItem(row, column, rows.at(row).at(column));
    }
    table->setSortingEnabled(true);
    table->sortItems(sortColumn, order);
    table->resizeColumnsToContents();
}

QTableWidgetItem *textItem(const QString &text)
{
    auto *item = new QTableWidgetItem(text);
    item->setToolTip(text);
    return item;
}

} // namespace

LeaksPage::LeaksPage(ConsoleSession *session, QWidget *parent)
    : QWidget(parent), m_session(session), m_history(new QListWidget(this)), m_detail(new QStackedWidget(this)),
      m_title(new QLabel(this)), m_summary(new QLabel(this)), m_process(new QLabel(this)), m_tabs(new QTabWidget(this)),
      m_estimatesTotal(new QLabel(this)), m_warnings(new QListWidget(this))
{
    // Left: the reports, newest first.
    auto *historyBox = new QGroupBox(tr("Reports"), this);
    auto *historyLayout = new QVBoxLayout(historyBox);
    m_history->setObjectName(u"history"_s);
    m_history->setAlternatingRowColors(true);
    historyLayout->addWidget(m_history);
    auto *historyNote =
        new QLabel(tr("A report comes every minute while connected; \"Analyse now\" on the Memory page asks for one."),
                   historyBox);
    historyNote->setWordWrap(true);
    QPalette notePalette = historyNote->palette();
    notePalette.setColor(QPalette::WindowText, notePalette.color(QPalette::PlaceholderText));
    historyNote->setPalette(notePalette);
    historyLayout->addWidget(historyNote);

    // Right: the placeholder, or the selected report.
    auto *placeholder = new QLabel(tr("No leak report yet."), m_detail);
    placeholder->setAlignment(Qt::AlignCenter);
    placeholder->setPalette(notePalette);
    m_detail->addWidget(placeholder);

    auto *report = new QWidget(m_detail);
    auto *reportLayout = new QVBoxLayout(report);
    reportLayout->setContentsMargins(0, 0, 0, 0);
    m_title->setObjectName(u"reportTitle"_s);
    QFont titleFont = m_title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.3);
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_summary->setObjectName(u"reportSummary"_s);
    m_summary->setWordWrap(true);
    QFont summaryFont = m_summary->font();
    summaryFont.setBold(true);
    m_summary->setFont(summaryFont);
    m_process->setObjectName(u"processFigures"_s);
    m_process->setWordWrap(true);
    m_process->setTextInteractionFlags(Qt::TextSelectableByMouse);
    reportLayout->addWidget(m_title);
    reportLayout->addWidget(m_summary);
    reportLayout->addWidget(m_process);

    m_estimates = newTable(this, u"estimates"_s,
                           {tr("Structure"), tr("Entries"), tr("Estimated size"), tr("Per entry"), tr("Share")}, 0);
    m_estimates->sortItems(2, Qt::DescendingOrder);
    m_estimatesTotal->setObjectName(u"estimatesTotal"_s);
    m_estimatesTotal->setWordWrap(true);
    auto *estimatesPage = new QWidget(this);
    auto *estimatesLayout = new QVBoxLayout(estimatesPage);
    estimatesLayout->addWidget(m_estimates);
    estimatesLayout->addWidget(m_estimatesTotal);
    m_growth = newTable(this, u"growth"_s,
                        {tr("Series"), tr("Growth"), tr("Slope per minute"), tr("Confidence (R²)"), tr("From"),
                         tr("To"), tr("Window"), tr("Samples"), tr("Connections growth")},
                        0);
    m_orphans = newTable(this, u"orphans"_s, {tr("Shard"), tr("Structure"), tr("Connection"), tr("Detail")}, 3);
    m_warnings->setObjectName(u"warnings"_s);
    m_warnings->setWordWrap(true);
    m_warnings->setAlternatingRowColors(true);
    m_tabs->setObjectName(u"reportTabs"_s);
    m_tabs->addTab(estimatesPage, QString());
    m_tabs->addTab(m_growth, QString());
    m_tabs->addTab(m_orphans, QString());
    m_tabs->addTab(m_warnings, QString());
    reportLayout->addWidget(m_tabs, 1);
    m_detail->addWidget(report);

    auto *splitter = new QSplitter(this);
    splitter->addWidget(historyBox);
    splitter->addWidget(m_detail);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({260, 840});
    splitter->setChildrenCollapsible(false);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(12, 12, 12, 12);
    layout->addWidget(splitter);

    connect(m_history, &QListWidget::currentRowChanged, this, &LeaksPage::showSelected);
    connect(session, &ConsoleSession::analysisReceived, this, &LeaksPage::refreshHistory);
    connect(session, &ConsoleSession::updated, this, [this] {
        // Another service starts with no reports: the list must not keep the old ones.
        if (m_history->count() != m_session->analyses().size())
            refreshHistory();
    });
    refreshHistory();
}

void LeaksPage::refreshHistory()
{
    const QList<ConsoleSession::Analysis> &analyses = m_session->analyses();
    const QListWidgetItem *current = m_history->currentItem();
    // Following the newest report unless the operator looks at an older one.
    const bool followNewest = current == nullptr || m_history->currentRow() == 0;
    const qint64 selectedAtMs = current ? current->data(Qt::UserRole).toLongLong() : 0;

    const QSignalBlocker blocker(m_history);
    m_history->clear();
    int selectRow = analyses.isEmpty() ? -1 : 0;
    for (qsizetype index = analyses.size() - 1; index >= 0; --index) {
        const ConsoleSession::Analysis &analysis = analyses.at(index);
        const QJsonObject findings = analysis.report.value("analysis"_L1).toObject();
        const qint64 orphans = jsonCount(findings.value("orphanCount"_L1));
        const qsizetype growing = findings.value("growth"_L1).toArray().size();
        auto *item =
            new QListWidgetItem(tr("%1\n%2, %3")
                                    .arg(displayTime(analysis.atMs), tr("%n orphans", nullptr, clampedInt(orphans)),
                                         tr("%n growing", nullptr, clampedInt(growing))),
                                m_history);
        item->setData(Qt::UserRole, analysis.atMs);
        item->setToolTip(displayDateTime(analysis.atMs));
        if (orphans > 0 || growing > 0)
            item->setForeground(FindingColour);
        if (!followNewest && analysis.atMs == selectedAtMs)
            selectRow = m_history->count() - 1;
    }
    m_history->setCurrentRow(selectRow);
    showSelected();
}

void LeaksPage::showSelected()
{
    const QListWidgetItem *current = m_history->currentItem();
    if (current == nullptr) {
        m_detail->setCurrentIndex(0);
        return;
    }
    const qint64 atMs = current->data(Qt::UserRole).toLongLong();
    const QList<ConsoleSession::Analysis> &analyses = m_session->analyses();
    const auto found = std::find_if(analyses.cbegin(), analyses.cend(),
                                    [atMs](const ConsoleSession::Analysis &analysis) { return analysis.atMs == atMs; });
    if (found == analyses.cend()) {
        m_detail->setCurrentIndex(0);
        return;
    }
    showReport(found->report, found->atMs);
    m_detail->setCurrentIndex(1);
}

void LeaksPage::showReport(const QJsonObject &report, qint64 atMs)
{
    const QLocale locale;
    const QJsonObject process = report.value("process"_L1).toObject();
    const QJsonObject service = report.value("service"_L1).toObject();
    const QJsonObject analysis = report.value("analysis"_L1).toObject();

    m_title->setText(tr("Leak report of %1").arg(displayDateTime(atMs)));
    const qint64 orphans = jsonCount(analysis.value("orphanCount"_L1));
    const qsizetype growing = analysis.value("growth"_L1).toArray().size();
    if (orphans == 0 && growing == 0) {
        m_summary->setText(tr("No orphaned entries and no series growing on its own."));
        m_summary->setStyleSheet(u"color: %1;"_s.arg(CleanColour.name()));
    } else {
        m_summary->setText(tr("Findings: %1 and %2.")
                               .arg(tr("%n orphaned entries", nullptr, clampedInt(orphans)),
                                    tr("%n growing series", nullptr, clampedInt(growing))));
        m_summary->setStyleSheet(u"color: %1;"_s.arg(FindingColour.name()));
    }

    const QString level = process.value("level"_L1).toString();
    QStringList figures;
    figures.append(tr("Process: %1 resident of a %2 budget (%3 %), level %4.")
                       .arg(displayBytes(jsonCount(process.value("rssBytes"_L1))),
                            displayBytes(jsonCount(process.value("budgetBytes"_L1))),
                            locale.toString(realOf(process.value("percent"_L1)), 'f', 1),
                            level.isEmpty() ? u"-"_s : level));
    const auto count = [&service](QLatin1StringView field) { return clampedInt(jsonCount(service.value(field))); };
    figures.append(tr("Service: %1, %2 on %3, %4 (%5), %6, %7.")
                       .arg(tr("%n connections", nullptr, count("connections"_L1)),
                            tr("%n subscriptions", nullptr, count("subscriptions"_L1)),
                            tr("%n bills", nullptr, count("subscribedBills"_L1)),
                            tr("%n queued messages", nullptr, count("queuedMessages"_L1)),
                            displayBytes(jsonCount(service.value("queuedBytes"_L1))),
                            tr("%n history entries", nullptr, count("historyEntries"_L1)),
                            tr("%n inbox entries", nullptr, count("inboxEntries"_L1))));
    figures.append(tr("Growth analysis over %1 of at most %2 samples.")
                       .arg(locale.toString(jsonCount(analysis.value("samples"_L1))),
                            locale.toString(jsonCount(analysis.value("windowSamples"_L1)))));
    m_process->setText(figures.join(u'\n'));

    fillEstimates(service);
    fillGrowth(analysis);
    fillOrphans(analysis);
    fillWarnings(analysis);
}

void LeaksPage::fillEstimates(const QJsonObject &service)
{
    const QLocale locale;
    const QJsonObject estimates = service.value("estimates"_L1).toObject();
    const QJsonObject structures = estimates.value("structures"_L1).toObject();
    qint64 total = estimates.contains("totalBytes"_L1) ? jsonCount(estimates.value("totalBytes"_L1)) : 0;
    if (!estimates.contains("totalBytes"_L1)) {
        for (auto it = structures.begin(); it != structures.end(); ++it)
            total += jsonCount(it.value().toObject().value("bytes"_L1));
    }
    QList<QList<QTableWidgetItem *>> rows;
    for (auto it = structures.begin(); it != structures.end(); ++it) {
        const QJsonObject structure = it.value().toObject();
        const qint64 bytes = jsonCount(structure.value("bytes"_L1));
        const qint64 perEntry = jsonCount(structure.value("bytesPerEntry"_L1));
        const QJsonValue entries = service.value(it.key());
        const double share = total > 0 ? 100.0 * double(bytes) / double(total) : 0.0;
        rows.append({textItem(it.key()),
                     new NumberItem(entries.isDouble() ? locale.toString(jsonCount(entries)) : u"-"_s,
                                    double(jsonCount(entries))),
                     new NumberItem(displayBytes(bytes), double(bytes)),
                     new NumberItem(displayBytes(perEntry), double(perEntry)),
                     new NumberItem(tr("%1 %").arg(locale.toString(share, 'f', 1)), share)});
    }
    fill(m_estimates, rows);
    const QString note = estimates.value("note"_L1).toString();
    m_estimatesTotal->setText(tr("Total estimated: %1").arg(displayBytes(total)) +
                              (note.isEmpty() ? QString() : u" ("_s + note + u')'));
    m_tabs->setTabText(0, tr("Memory estimates (%1)").arg(rows.size()));
}

void LeaksPage::fillGrowth(const QJsonObject &analysis)
{
    const QLocale locale;
    const QJsonArray growth = analysis.value("growth"_L1).toArray();
    QList<QList<QTableWidgetItem *>> rows;
    for (const QJsonValue &value : growth) {
        const QJsonObject finding = value.toObject();
        const double percent = realOf(finding.value("growthPercent"_L1));
        const double slope = realOf(finding.value("slopePerMinute"_L1));
        const double confidence = 100.0 * realOf(finding.value("confidence"_L1));
        const double start = realOf(finding.value("start"_L1));
        const double end = realOf(finding.value("end"_L1));
        const qint64 windowMs = jsonCount(finding.value("windowMs"_L1));
        const double load = realOf(finding.value("connectionsGrowthPercent"_L1));
        auto *series = textItem(finding.value("series"_L1).toString());
        series->setForeground(FindingColour);
        rows.append(
            {series, new NumberItem(tr("%1 %").arg(locale.toString(percent, 'f', 1)), percent),
             new NumberItem(locale.toString(slope, 'f', 2), slope),
             new NumberItem(tr("%1 %").arg(locale.toString(confidence, 'f', 0)), confidence),
             new NumberItem(locale.toString(start, 'f', 0), start), new NumberItem(locale.toString(end, 'f', 0), end),
             new NumberItem(tr("%1 min").arg(locale.toString(double(windowMs) / 60'000.0, 'f', 1)), double(windowMs)),
             new NumberItem(locale.toString(jsonCount(finding.value("samples"_L1))),
                            double(jsonCount(finding.value("samples"_L1)))),
             new NumberItem(tr("%1 %").arg(locale.toString(load, 'f', 1)), load)});
    }
    fill(m_growth, rows);
    m_tabs->setTabText(1, tr("Growth trends (%1)").arg(rows.size()));
}

void LeaksPage::fillOrphans(const QJsonObject &analysis)
{
    const QJsonArray orphans = analysis.value("orphans"_L1).toArray();
    QList<QList<QTableWidgetItem *>> rows;
    for (const QJsonValue &value : orphans) {
        const QJsonObject orphan = value.toObject();
        const qint64 shard = jsonCount(orphan.value("shard"_L1));
        rows.append({new NumberItem(QString::number(shard), double(shard)),
                     textItem(orphan.value("structure"_L1).toString()),
                     textItem(orphan.value("connectionId"_L1).toVariant().toString()),
                     textItem(orphan.value("detail"_L1).toString())});
    }
    fill(m_orphans, rows);
    // The count may exceed the rows: the service lists only the first orphans.
    m_tabs->setTabText(
        2, tr("Orphans (%1)").arg(std::max<qint64>(rows.size(), jsonCount(analysis.value("orphanCount"_L1)))));
}

void LeaksPage::fillWarnings(const QJsonObject &analysis)
{
    const QJsonArray warnings = analysis.value("warnings"_L1).toArray();
    m_warnings->clear();
    for (const QJsonValue &warning : warnings) {
        if (warning.isString())
            m_warnings->addItem(warning.toString());
    }
    m_tabs->setTabText(3, tr("Warnings (%1)").arg(m_warnings->count()));
}

} // namespace wsinfra
