#include "ui/pages/eventspage.h"

#include "consolesession.h"
#include "models/eventsmodel.h"

#include <QColor>
#include <QComboBox>
#include <QFont>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace wsinfra {

namespace {

constexpr int WarningSeverity = 1;
constexpr int ErrorSeverity = 2;

/// Filters the events by least level and by text in the category or message, colours them by level, shows
/// the level in words the translation can change, and keeps events of the same millisecond in log order.
class EventsProxy : public QSortFilterProxyModel
{
public:
    using QSortFilterProxyModel::QSortFilterProxyModel;

    void setFilter(int leastSeverity, const QString &text)
    {
        if (leastSeverity == m_leastSeverity && text == m_text)
            return;
        m_leastSeverity = leastSeverity;
        m_text = text;
        invalidateFilter();
    }

    QVariant data(const QModelIndex &index, int role) const override
    {
        switch (role) {
        case Qt::DisplayRole:
            if (index.column() == EventsModel::Level)
                return levelText(severity(index));
            break;
        case Qt::ForegroundRole:
            switch (severity(index)) {
            case WarningSeverity:
                return QColor(0xa0, 0x5a, 0x00);
            case ErrorSeverity:
                return QColor(0xb7, 0x1c, 0x1c);
            default:
                break;
            }
            break;
        case Qt::BackgroundRole:
            // Translucent, so that the tint reads on light and dark palettes alike.
            switch (severity(index)) {
            case WarningSeverity:
                return QColor(0xff, 0xa0, 0x00, 0x2c);
            case ErrorSeverity:
                return QColor(0xe5, 0x39, 0x35, 0x38);
            default:
                break;
            }
            break;
        case Qt::FontRole:
            if (index.column() == EventsModel::Level && severity(index) > 0) {
                QFont bold;
                bold.setBold(true);
                return bold;
            }
            break;
        default:
            break;
        }
        return QSortFilterProxyModel::data(index, role);
    }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override
    {
        const QAbstractItemModel *model = sourceModel();
        if (model->index(sourceRow, EventsModel::Level, sourceParent).data(EventsModel::SortRole).toInt() <
            m_leastSeverity)
            return false;
        if (m_text.isEmpty())
            return true;
        return model->index(sourceRow, EventsModel::Message, sourceParent)
                   .data()
                   .toString()
                   .contains(m_text, Qt::CaseInsensitive) ||
               model->index(sourceRow, EventsModel::Category, sourceParent)
                   .data()
                   .toString()
                   .contains(m_text, Qt::CaseInsensitive);
    }

    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override
    {
        if (left.column() == EventsModel::Time) {
            const qint64 leftMs = left.data(EventsModel::SortRole).toLongLong();
            const qint64 rightMs = right.data(EventsModel::SortRole).toLongLong();
            if (leftMs != rightMs)
                return leftMs < rightMs;
            return left.data(EventsModel::IdRole).toLongLong() < right.data(EventsModel::IdRole).toLongLong();
        }
        return QSortFilterProxyModel::lessThan(left, right);
    }

private:
    static int severity(const QModelIndex &index)
    {
        const QString level = index.data(EventsModel::LevelRole).toString();
        return level == "error"_L1 ? ErrorSeverity : level == "warning"_L1 ? WarningSeverity : 0;
    }

    static QString levelText(int severity)
    {
        switch (severity) {
        case ErrorSeverity:
            return EventsPage::tr("Error");
        case WarningSeverity:
            return EventsPage::tr("Warning");
        default:
            return EventsPage::tr("Info");
        }
    }

    int m_leastSeverity = 0;
    QString m_text;
};

} // namespace

EventsPage::EventsPage(ConsoleSession *session, QWidget *parent)
    : QWidget(parent), m_session(session), m_proxy(new EventsProxy(this)), m_view(new QTableView(this)),
      m_level(new QComboBox(this)), m_filter(new QLineEdit(this)), m_pause(new QPushButton(tr("Pause"), this)),
      m_count(new QLabel(this))
{
    m_proxy->setSourceModel(session->eventsModel());
    m_proxy->setSortRole(EventsModel::SortRole);

    m_level->setObjectName(u"level"_s);
    m_level->addItem(tr("All levels"), 0);
    m_level->addItem(tr("Warnings and errors"), WarningSeverity);
    m_level->addItem(tr("Errors"), ErrorSeverity);
    m_filter->setObjectName(u"filter"_s);
    m_filter->setPlaceholderText(tr("Filter by category or message"));
    m_filter->setClearButtonEnabled(true);
    const auto applyFilter = [this] {
        static_cast<EventsProxy *>(m_proxy)->setFilter(m_level->currentData().toInt(), m_filter->text().trimmed());
        refreshCount();
        if (!m_pause->isChecked())
            scrollToNewest();
    };
    connect(m_level, &QComboBox::currentIndexChanged, this, applyFilter);
    connect(m_filter, &QLineEdit::textChanged, this, applyFilter);

    m_pause->setObjectName(u"pause"_s);
    m_pause->setCheckable(true);
    m_pause->setToolTip(tr("Stop following the newest events, to read in peace. Events still arrive."));
    connect(m_pause, &QPushButton::toggled, this, [this](bool paused) {
        m_pause->setText(paused ? tr("Resume") : tr("Pause"));
        if (!paused)
            scrollToNewest();
        refreshCount();
    });
    m_count->setObjectName(u"count"_s);

    m_view->setObjectName(u"eventsView"_s);
    m_view->setModel(m_proxy);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(EventsModel::Time, Qt::AscendingOrder);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setWordWrap(false);
    m_view->setTextElideMode(Qt::ElideRight);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 8);
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    m_view->setColumnWidth(EventsModel::Time, 90);
    m_view->setColumnWidth(EventsModel::Level, 90);
    m_view->setColumnWidth(EventsModel::Category, 110);

    // Follow the tail: remember, before rows come in, whether the view showed the newest end, and go back
    // there after. The view's own slots run first (it connected at setModel()), so its rows are laid out.
    connect(m_proxy, &QAbstractItemModel::rowsAboutToBeInserted, this,
            [this] { m_followOnInsert = m_followOnInsert || isFollowing(); });
    connect(m_proxy, &QAbstractItemModel::rowsInserted, this, [this] {
        if (m_followOnInsert)
            scrollToNewest();
        m_followOnInsert = false;
    });
    connect(session, &ConsoleSession::updated, this, &EventsPage::refreshCount);

    auto *top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Show:"), this));
    top->addWidget(m_level);
    top->addSpacing(8);
    top->addWidget(m_filter, 1);
    top->addSpacing(12);
    top->addWidget(m_count);
    top->addSpacing(12);
    top->addWidget(m_pause);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(12, 12, 12, 12);
    layout->addLayout(top);
    layout->addWidget(m_view, 1);
    refreshCount();
}

bool EventsPage::isFollowing() const
{
    return !m_pause->isChecked() && atNewestEnd();
}

bool EventsPage::atNewestEnd() const
{
    const QScrollBar *bar = m_view->verticalScrollBar();
    const QHeaderView *header = m_view->horizontalHeader();
    // Sorted newest first, the newest are at the top; in any other order new events come in at the bottom.
    if (header->sortIndicatorSection() == EventsModel::Time && header->sortIndicatorOrder() == Qt::DescendingOrder)
        return bar->value() <= bar->minimum();
    return bar->value() >= bar->maximum();
}

void EventsPage::scrollToNewest()
{
    const QHeaderView *header = m_view->horizontalHeader();
    if (header->sortIndicatorSection() == EventsModel::Time && header->sortIndicatorOrder() == Qt::DescendingOrder)
        m_view->scrollToTop();
    else
        m_view->scrollToBottom();
}

void EventsPage::refreshCount()
{
    const int total = m_proxy->sourceModel()->rowCount();
    const QString count = tr("%1 of %n events", nullptr, total).arg(m_proxy->rowCount());
    m_count->setText(m_pause->isChecked() ? tr("%1 (paused)").arg(count) : count);
}

} // namespace wsinfra
