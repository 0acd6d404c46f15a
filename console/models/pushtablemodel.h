#pragma once

#include "models/modelsupport.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QList>
#include <QSet>

#include <algorithm>
#include <functional>
#include <limits>

namespace wsinfra {

class ConsoleState;

/// What the console's table models share: they follow the pushes of a ConsoleState. update() merges each
/// push in place, a delta or a snapshot (a resync, or a reconnect) alike: the rows inserted, changed and
/// removed, so that views keep selection and scroll. Only after a push update() did not see (then
/// lastChanges() leads from a state the model does not show) does it reset.
/// Each model keeps its own copy of the rows, so it stays consistent between a push and update().
class PushTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    /// Brings the model to `state`, to be called after every successful ConsoleState::apply().
    void update(const ConsoleState &state);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;

protected:
    PushTableModel(int columnCount, QObject *parent);

    virtual qsizetype rows() const = 0;
    /// Replaces every row by the state's (between beginResetModel and endResetModel), then shown().
    virtual void reset(const ConsoleState &state) = 0;
    /// Merges state.lastChanges(), then shown(); false when the rows no longer match the state (the model
    /// then resets).
    virtual bool merge(const ConsoleState &state) = 0;
    /// The model now shows the state's latest push.
    void shown(const ConsoleState &state);

    /// Merges rows kept by key in place, with the row signals views need: the rows of `removed` go
    /// (in runs, bottom up, so the rows still to go keep their numbers), the keys of `upserted` the model
    /// lacks are appended in their order (once each, if `exists`), those it holds are refreshed.
    template <typename Key, typename Row>
    void mergeKeyed(QList<Row> &rows, QHash<Key, qsizetype> &rowOf, const QList<Key> &removed,
                    const QList<Key> &upserted, const std::function<bool(const Key &)> &exists,
                    const std::function<Row(const Key &)> &rowFor, const std::function<Key(const Row &)> &keyOf);

private:
    const int m_columnCount;
    // seq and time name a push: a snapshot of a new session repeats an old seq, but not at the same time too.
    qint64 m_seq = 0; ///< 0 before any
    qint64 m_atMs = 0;
};

template <typename Key, typename Row>
void PushTableModel::mergeKeyed(QList<Row> &rows, QHash<Key, qsizetype> &rowOf, const QList<Key> &removed,
                                const QList<Key> &upserted, const std::function<bool(const Key &)> &exists,
                                const std::function<Row(const Key &)> &rowFor,
                                const std::function<Key(const Row &)> &keyOf)
{
    QList<qsizetype> gone;
    for (const Key &key : removed) {
        const auto it = rowOf.constFind(key);
        if (it == rowOf.cend())
            continue;
        gone.append(it.value());
        rowOf.erase(it);
    }
    const QList<std::pair<qsizetype, qsizetype>> runs = contiguousRuns(gone);
    for (auto run = runs.crbegin(); run != runs.crend(); ++run) {
        beginRemoveRows({}, int(run->first), int(run->second));
        rows.remove(run->first, run->second - run->first + 1);
        endRemoveRows();
    }
    if (!runs.isEmpty()) {
        for (qsizetype row = runs.front().first; row < rows.size(); ++row)
            rowOf[keyOf(rows.at(row))] = row;
    }

    QList<Key> added;
    QSet<Key> adding;
    QList<qsizetype> changed;
    for (const Key &key : upserted) {
        const auto row = rowOf.constFind(key);
        if (row != rowOf.cend()) {
            changed.append(row.value());
        } else if (exists(key) && !adding.contains(key)) {
            adding.insert(key);
            added.append(key);
        }
    }
    // A model row index is an int: what does not fit is left out (the state's limits prevent it).
    const qsizetype room = std::numeric_limits<int>::max() - rows.size();
    if (added.size() > room)
        added.resize(room);
    if (!added.isEmpty()) {
        beginInsertRows({}, int(rows.size()), int(rows.size() + added.size() - 1));
        for (const Key &key : std::as_const(added)) {
            rowOf.insert(key, rows.size());
            rows.append(rowFor(key));
        }
        endInsertRows();
    }

    std::sort(changed.begin(), changed.end());
    changed.erase(std::unique(changed.begin(), changed.end()), changed.end());
    for (qsizetype row : std::as_const(changed))
        rows[row] = rowFor(keyOf(rows.at(row)));
    for (const auto &[first, last] : contiguousRuns(changed))
        Q_EMIT dataChanged(index(int(first), 0), index(int(last), m_columnCount - 1));
}

} // namespace wsinfra
