#pragma once

#include <QObject>
#include <QString>
#include <QTimer>

namespace wsinfra {

class Clock;
class MemoryReader;

/// Watches the process's memory against its budget. Every check interval it reads the resident
/// memory, computes the pressure (RSS in percent of the budget) and a level from the configured
/// thresholds, and announces a change of level. Levels rise as soon as the pressure reaches their
/// threshold but are left only when it falls Hysteresis points below, so a service hovering around
/// a threshold does not flap. Lives on the orchestrator thread.
class MemoryManager : public QObject
{
    Q_OBJECT
public:
    enum class Level { Normal = 0, Warning = 1, Critical = 2, Emergency = 3 };
    Q_ENUM(Level)

    /// Percentage points below a level's threshold the pressure must fall to leave the level.
    static constexpr double Hysteresis = 5.0;

    /// The files the budget is read from (tests point them at files they wrote).
    struct BudgetSources
    {
        QString cgroupV2Limit = QStringLiteral("/sys/fs/cgroup/memory.max");
        QString cgroupV1Limit = QStringLiteral("/sys/fs/cgroup/memory/memory.limit_in_bytes");
        qint64 physicalBytes = 0; ///< 0: the machine's, from sysconf
    };
    struct Settings
    {
        qint64 limitBytes = 0; ///< --memory-limit; 0: from the cgroup, else physical memory
        int warningPercent = 70;
        int criticalPercent = 85;
        int emergencyPercent = 95;
        qint64 checkIntervalMs = 10'000;
        BudgetSources sources;
    };
    struct Sample
    {
        qint64 timestampMs = 0; ///< 0: not measured yet
        qint64 residentBytes = 0;
        qint64 budgetBytes = 0;
        double pressurePercent = 0.0;
        Level level = Level::Normal;
    };

    MemoryManager(const Settings &settings, const MemoryReader &reader, const Clock &clock, QObject *parent = nullptr);

    /// Checks now and then every check interval.
    void start();
    /// Measures now, updates the level (emitting levelChanged() when it moved) and returns the sample.
    Sample check();
    /// Replaces the budget (--memory-limit; 0: automatic) and the level thresholds (a configuration
    /// reload) and checks at once, so that a level the new thresholds imply is announced now.
    void setThresholds(qint64 limitBytes, int warningPercent, int criticalPercent, int emergencyPercent);
    /// The latest sample (all zero before the first check).
    Sample latest() const { return m_latest; }
    Level level() const { return m_latest.level; }
    /// The pressure (percent of the budget) at which `level` is entered; 0 for Normal.
    double thresholdOf(Level level) const;

    /// The budget: `configuredLimit` if > 0, else the cgroup v2 limit ("max": none), else the
    /// cgroup v1 limit (2^60 and above: none), else physical memory.
    static qint64 resolveBudget(qint64 configuredLimit, const BudgetSources &sources);
    /// The memory.max of the process's own cgroup v2 (from the "0::" line of `procCgroupFile`): under
    /// systemd that is the unit's cgroup, where MemoryMax= lands; in a container with its own cgroup
    /// namespace it is the root's. `cgroupRoot`/memory.max when the file says nothing usable.
    static QString ownCgroupV2Limit(const QString &procCgroupFile = QStringLiteral("/proc/self/cgroup"),
                                    const QString &cgroupRoot = QStringLiteral("/sys/fs/cgroup"));
    /// "normal", "warning", "critical", "emergency".
    static QString levelName(Level level);

signals:
    void levelChanged(wsinfra::MemoryManager::Level level, wsinfra::MemoryManager::Level previous);
    /// After every check (after levelChanged() when the level moved), with the level now.
    void checked(wsinfra::MemoryManager::Level level);

private:
    Level levelFor(double pressurePercent, Level current) const;

    Settings m_settings;
    const MemoryReader &m_reader;
    const Clock &m_clock;
    QTimer m_timer;
    Sample m_latest;
};

} // namespace wsinfra
