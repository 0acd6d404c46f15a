#include "models/connectionsmodel.h"

#include "consolestate.h"
#include "models/modelsupport.h"

#include <QJsonArray>
#include <QLocale>
#include <QSet>

#include <algorithm>
#include <limits>

using namespace Qt::StringLiterals;

namespace wsinfra {

ConnectionsModel::ConnectionsModel(QObject *parent) : PushTableModel(ColumnCount, parent) {}

QVariant ConnectionsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || !checkIndex(index, CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return displayData(row, index.column());
    case Qt::ToolTipRole: {
        if (index.column() != Bills)
            return {};
        QStringList bills;
        bills.reserve(row.bills.size());
        for (qint64 bill : row.bills)
            bills.append(QString::number(bill));
        return bills.join(u", "_s);
    }
    case SortRole:
        return sortData(row, index.column());
    case IdRole:
        return row.id;
    case BillsRole: {
        QVariantList bills;
        bills.reserve(row.bills.size());
        for (qint64 bill : row.bills)
            bills.append(bill);
        return bills;
    }
    default:
        return {};
    }
}

QVariant ConnectionsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Id:
        return tr("Id");
    case User:
        return tr("User");
    case Address:
        return tr("Address");
    case Transport:
        return tr("Transport");
    case ConnectedSince:
        return tr("Connected since");
    case Bills:
        return tr("Bills");
    case QueuedBytes:
        return tr("Queued");
    case MessagesIn:
        return tr("In");
    case MessagesOut:
        return tr("Out");
    case LastSeen:
        return tr("Last seen");
    default:
        return {};
    }
}

ConnectionsModel::Row ConnectionsModel::rowFrom(const QString &id, const QJsonObject &json)
{
    // The state checked only the id; every other field is read so that a wrong type shows as empty or 0.
    Row row;
    row.id = id;
    row.user = json.value("user"_L1).toString();
    row.address = json.value("address"_L1).toString();
    row.transport = json.value("transport"_L1).toString();
    row.sinceMs = jsonCount(json.value("since"_L1));
    row.queuedBytes = jsonCount(json.value("queued_bytes"_L1));
    row.messagesIn = jsonCount(json.value("messages_in"_L1));
    row.messagesOut = jsonCount(json.value("messages_out"_L1));
    row.lastSeenMs = jsonCount(json.value("last_seen"_L1));
    const QJsonArray bills = json.value("bills"_L1).toArray();
    row.bills.reserve(bills.size());
    for (const QJsonValue &bill : bills) {
        if (bill.isDouble())
            row.bills.append(jsonCount(bill));
    }
    return row;
}

QVariant ConnectionsModel::displayData(const Row &row, int column) const
{
    switch (column) {
    case Id:
        return row.id;
    case User:
        return row.user;
    case Address:
        return row.address;
    case Transport:
        return row.transport;
    case ConnectedSince:
        return displayTime(row.sinceMs);
    case Bills:
        return QString::number(row.bills.size());
    case QueuedBytes:
        return displayBytes(row.queuedBytes);
    case MessagesIn:
        return QLocale().toString(row.messagesIn);
    case MessagesOut:
        return QLocale().toString(row.messagesOut);
    case LastSeen:
        return displayTime(row.lastSeenMs);
    default:
        return {};
    }
}

QVariant ConnectionsModel::sortData(const Row &row, int column) const
{
    switch (column) {
    case ConnectedSince:
        return row.sinceMs;
    case Bills:
        return qint64(row.bills.size());
    case QueuedBytes:
        return row.queuedBytes;
    case MessagesIn:
        return row.messagesIn;
    case MessagesOut:
        return row.messagesOut;
    case LastSeen:
        return row.lastSeenMs;
    default:
        return displayData(row, column);
    }
}

void ConnectionsModel::reset(const ConsoleState &state)
{
    beginResetModel();
    m_rows.clear();
    m_rowOf.clear();
    const QMap<QString, QJsonObject> &connections = state.connections();
    // A model row index is an int: a state beyond that (which its limits prevent) is shown cut.
    const qsizetype count = std::min<qsizetype>(connections.size(), std::numeric_limits<int>::max());
    m_rows.reserve(count);
    for (auto it = connections.cbegin(); it != connections.cend() && m_rows.size() < count; ++it) {
        m_rowOf.insert(it.key(), m_rows.size());
        m_rows.append(rowFrom(it.key(), it.value()));
    }
    shown(state);
    endResetModel();
}

bool ConnectionsModel::merge(const ConsoleState &state)
{
    const ConsoleState::Changes &changes = state.lastChanges();
    const QMap<QString, QJsonObject> &connections = state.connections();
    shown(state);
    // An "added" row the model holds already is a change, a "changed" one it lacks an addition.
    mergeKeyed<QString, Row>(
        m_rows, m_rowOf, changes.connectionsRemoved, changes.connectionsAdded + changes.connectionsChanged,
        [&connections](const QString &id) { return connections.contains(id); },
        [&connections](const QString &id) { return rowFrom(id, connections.value(id)); },
        [](const Row &row) { return row.id; });
    return m_rows.size() == connections.size();
}

} // namespace wsinfra
