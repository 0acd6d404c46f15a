#include "models/pushtablemodel.h"

#include "consolestate.h"

namespace wsinfra {

PushTableModel::PushTableModel(int columnCount, QObject *parent)
    : QAbstractTableModel(parent), m_columnCount(columnCount)
{
}

void PushTableModel::update(const ConsoleState &state)
{
    if (!state.hasSnapshot()) {
        if (m_seq != 0)
            reset(state);
        return;
    }
    if (state.seq() == m_seq && state.atMs() == m_atMs)
        return; // shown already
    const ConsoleState::Changes &changes = state.lastChanges();
    if (changes.fromSeq != m_seq || changes.fromAtMs != m_atMs) {
        reset(state); // a push in between was not shown: the changes lead from a state the model lacks
        return;
    }
    if (!merge(state))
        reset(state);
}

int PushTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(rows());
}

int PushTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_columnCount;
}

void PushTableModel::shown(const ConsoleState &state)
{
    m_seq = state.seq();
    m_atMs = state.atMs();
}

} // namespace wsinfra
