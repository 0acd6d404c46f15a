#include "models/eventsmodel.h"

#include "consolestate.h"
#include "models/modelsupport.h"

#include <QJsonObject>

#include <algorithm>
#include <limits>

using namespace Qt::StringLiterals;

namespace wsinfra {

namespace {

int severityOf(const QString &level)
{
    if (level == "error"_L1)
        return 2;
    if (level == "warning"_L1)
        return 1;
    return 0;
}

QString levelName(int severity)
{
    switch (severity) {
    case 2:
        return u"error"_s;
    case 1:
        return u"warning"_s;
    default:
        return u"info"_s;
    }
}

} // namespace

EventsModel::EventsModel(QObject *parent) : PushTableModel(ColumnCount, parent) {}

QVariant EventsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || !checkIndex(index, CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Time:
            return displayTime(row.timestampMs);
        case Level:
            return levelName(row.severity);
        case Category:
            return row.category;
        case Message:
            return row.message;
        default:
            return {};
        }
    case Qt::ToolTipRole:
        switch (index.column()) {
        case Time:
            return displayDateTime(row.timestampMs);
        case Message:
            return row.message; // long messages are cut by the column
        default:
            return {};
        }
    case SortRole:
        switch (index.column()) {
        case Time:
            return row.timestampMs;
        case Level:
            return qint64(row.severity);
        case Category:
            return row.category;
        case Message:
            return row.message;
        default:
            return {};
        }
    case LevelRole:
        return levelName(row.severity);
    case IdRole:
        return row.id;
    default:
        return {};
    }
}

QVariant EventsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Time:
        return tr("Time");
    case Level:
        return tr("Level");
    case Category:
        return tr("Category");
    case Message:
        return tr("Message");
    default:
        return {};
    }
}

EventsModel::Row EventsModel::rowFrom(const QJsonObject &event)
{
    // The state checked only the id; a field of another type reads as empty or 0.
    return {jsonCount(event.value("id"_L1)), jsonCount(event.value("timestamp"_L1)),
            severityOf(event.value("level"_L1).toString()), event.value("category"_L1).toString(),
            event.value("message"_L1).toString()};
}

void EventsModel::reset(const ConsoleState &state)
{
    beginResetModel();
    m_rows.clear();
    const CircularBuffer<QJsonObject> &events = state.events();
    const qsizetype count = std::min<qsizetype>(events.size(), std::numeric_limits<int>::max());
    m_rows.reserve(count);
    for (qsizetype i = events.size() - count; i < events.size(); ++i) {
        m_rows.append(rowFrom(events.at(i)));
    }
    shown(state);
    endResetModel();
}

bool EventsModel::merge(const ConsoleState &state)
{
    const ConsoleState::Changes &changes = state.lastChanges();
    const CircularBuffer<QJsonObject> &events = state.events();
    const qsizetype dropped = changes.eventsDropped;
    const qsizetype replaced = changes.eventsReplaced;
    const qsizetype added = changes.eventsAdded;
    // The state held what this model holds: after the same steps both must agree, else start over.
    if (dropped < 0 || replaced < 0 || added < 0 || added > events.size() || dropped + replaced > m_rows.size() ||
        m_rows.size() - dropped - replaced + added != events.size())
        return false;
    shown(state);

    if (dropped > 0) {
        beginRemoveRows({}, 0, int(dropped - 1));
        m_rows.remove(0, dropped);
        endRemoveRows();
    }
    if (replaced > 0) {
        beginRemoveRows({}, int(m_rows.size() - replaced), int(m_rows.size() - 1));
        m_rows.remove(m_rows.size() - replaced, replaced);
        endRemoveRows();
    }
    if (added > 0) {
        beginInsertRows({}, int(m_rows.size()), int(m_rows.size() + added - 1));
        for (qsizetype i = events.size() - added; i < events.size(); ++i) {
            m_rows.append(rowFrom(events.at(i)));
        }
        endInsertRows();
    }
    return true;
}

} // namespace wsinfra
