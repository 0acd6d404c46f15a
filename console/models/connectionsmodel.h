#pragma once

#include "models/pushtablemodel.h"

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace wsinfra {

class ConsoleState;

/// The connections of a node, one row per connection, for the console's Connections page. update() merges
/// what the last push changed (ConsoleState::lastChanges()) in place: new connections are appended, changed
/// ones emit dataChanged, closed ones are removed and the rows below close the gap, so that a view keeps its
/// selection and scroll position. Only a snapshot push (or a push update() did not see) resets the model.
/// The model keeps its own copy of the rows, so it stays consistent between a push and update().
class ConnectionsModel : public PushTableModel
{
    Q_OBJECT

public:
    enum Column {
        Id,
        User,
        Address,
        Transport,
        ConnectedSince,
        Bills,
        QueuedBytes,
        MessagesIn,
        MessagesOut,
        LastSeen,
        ColumnCount
    };
    enum Role {
        SortRole = Qt::UserRole, ///< the raw value: qint64 for numbers and times (ms), QString otherwise
        IdRole,                  ///< the connection's public id, on every column
        BillsRole,               ///< QVariantList of the bill ids (qint64) it is subscribed to, on every column
    };

    explicit ConnectionsModel(QObject *parent = nullptr);

    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Row
    {
        QString id;
        QString user;
        QString address;
        QString transport;
        qint64 sinceMs = 0;
        QList<qint64> bills;
        qint64 queuedBytes = 0;
        qint64 messagesIn = 0;
        qint64 messagesOut = 0;
        qint64 lastSeenMs = 0;
    };

    static Row rowFrom(const QString &id, const QJsonObject &json);
    QVariant displayData(const Row &row, int column) const;
    QVariant sortData(const Row &row, int column) const;
    qsizetype rows() const override { return m_rows.size(); }
    void reset(const ConsoleState &state) override;
    bool merge(const ConsoleState &state) override;

    QList<Row> m_rows;
    QHash<QString, qsizetype> m_rowOf;
};

} // namespace wsinfra
