#pragma once

#include "models/pushtablemodel.h"

#include <QJsonObject>
#include <QList>
#include <QString>

namespace wsinfra {

class ConsoleState;

/// The node's recent event log, oldest first, for the console's Events page. update() follows the state's
/// bounded buffer in place: the events a push added are inserted at the end, those the bound pushed out are
/// removed from the top. Only a snapshot push (or a missed push) resets the model.
class EventsModel : public PushTableModel
{
    Q_OBJECT

public:
    enum Column { Time, Level, Category, Message, ColumnCount };
    enum Role {
        SortRole =
            Qt::UserRole, ///< the raw value: qint64 for the time (ms) and the level's severity, QString otherwise
        LevelRole,        ///< "info", "warning" or "error" (unknown levels read as "info"), on every column
        IdRole,           ///< the event's id (qint64), on every column
    };

    explicit EventsModel(QObject *parent = nullptr);

    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Row
    {
        qint64 id = 0;
        qint64 timestampMs = 0;
        int severity = 0; ///< 0 info, 1 warning, 2 error
        QString category;
        QString message;
    };

    static Row rowFrom(const QJsonObject &event);
    qsizetype rows() const override { return m_rows.size(); }
    void reset(const ConsoleState &state) override;
    bool merge(const ConsoleState &state) override;

    QList<Row> m_rows;
};

} // namespace wsinfra
