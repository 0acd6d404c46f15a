#include "models/subscriptionsmodel.h"

#include "consolestate.h"
#include "models/modelsupport.h"

#include <QSet>

#include <algorithm>
#include <limits>

using namespace Qt::StringLiterals;

namespace wsinfra {

SubscriptionsModel::SubscriptionsModel(QObject *parent) : PushTableModel(ColumnCount, parent) {}

QVariant SubscriptionsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || !checkIndex(index, CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case BillId:
            return QString::number(row.billId);
        case Subscribers:
            return QString::number(row.users.size());
        case Users:
            return row.users.join(u", "_s);
        default:
            return {};
        }
    case SortRole:
        switch (index.column()) {
        case BillId:
            return row.billId;
        case Subscribers:
            return qint64(row.users.size());
        case Users:
            return row.users.join(u", "_s);
        default:
            return {};
        }
    case UsersRole:
        return row.users;
    case BillIdRole:
        return row.billId;
    default:
        return {};
    }
}

QVariant SubscriptionsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case BillId:
        return tr("Bill");
    case Subscribers:
        return tr("Subscribers");
    case Users:
        return tr("Users");
    default:
        return {};
    }
}

void SubscriptionsModel::reset(const ConsoleState &state)
{
    beginResetModel();
    m_rows.clear();
    m_rowOf.clear();
    const QMap<qint64, QStringList> &subscriptions = state.subscriptions();
    // A model row index is an int: a state beyond that (which its limits prevent) is shown cut.
    const qsizetype count = std::min<qsizetype>(subscriptions.size(), std::numeric_limits<int>::max());
    m_rows.reserve(count);
    for (auto it = subscriptions.cbegin(); it != subscriptions.cend() && m_rows.size() < count; ++it) {
        m_rowOf.insert(it.key(), m_rows.size());
        m_rows.append({it.key(), it.value()});
    }
    shown(state);
    endResetModel();
}

bool SubscriptionsModel::merge(const ConsoleState &state)
{
    const ConsoleState::Changes &changes = state.lastChanges();
    const QMap<qint64, QStringList> &subscriptions = state.subscriptions();
    shown(state);
    mergeKeyed<qint64, Row>(
        m_rows, m_rowOf, changes.billsRemoved, changes.billsChanged,
        [&subscriptions](qint64 billId) { return subscriptions.contains(billId); },
        [&subscriptions](qint64 billId) {
            return Row{billId, subscriptions.value(billId)};
        },
        [](const Row &row) { return row.billId; });
    return m_rows.size() == subscriptions.size();
}

} // namespace wsinfra
