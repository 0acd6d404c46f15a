#pragma once

#include "models/pushtablemodel.h"

#include <QHash>
#include <QList>
#include <QStringList>

namespace wsinfra {

class ConsoleState;

/// The subscribed bills of a node, one row per bill with the users following it. update() merges the last
/// push's billsChanged/billsRemoved in place the way ConnectionsModel does: new bills are appended, changed
/// ones emit dataChanged, removed ones close the gap. Only a snapshot push (or a missed push) resets it.
class SubscriptionsModel : public PushTableModel
{
    Q_OBJECT

public:
    enum Column { BillId, Subscribers, Users, ColumnCount };
    enum Role {
        SortRole = Qt::UserRole, ///< the raw value: qint64 for the bill id and the count, QString for the users
        UsersRole,               ///< QStringList of the users, on every column
        BillIdRole,              ///< the bill id (qint64), on every column
    };

    explicit SubscriptionsModel(QObject *parent = nullptr);

    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Row
    {
        qint64 billId = 0;
        QStringList users;
    };

    qsizetype rows() const override { return m_rows.size(); }
    void reset(const ConsoleState &state) override;
    bool merge(const ConsoleState &state) override;

    QList<Row> m_rows;
    QHash<qint64, qsizetype> m_rowOf;
};

} // namespace wsinfra
