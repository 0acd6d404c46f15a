#pragma once

#include "protocol/result.h"

#include <QChartView>

namespace wsinfra {

/// A chart view the console's pages share: antialiased, and with "Save as PNG..." in its context menu
/// (the "chart -> PNG").
class ChartView : public QChartView
{
    Q_OBJECT

public:
    explicit ChartView(QChart *chart, QWidget *parent = nullptr);

    /// Writes the chart as it is drawn now to `path` as PNG. Error: unavailable, "cannot write PATH".
    Result<bool> savePng(const QString &path);

protected:
    void contextMenuEvent(QContextMenuEvent *event) override;
};

} // namespace wsinfra
