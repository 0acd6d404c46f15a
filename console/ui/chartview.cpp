#include "ui/chartview.h"

#include "protocol/codes.h"

#include <QContextMenuEvent>
#include <QDir>
#include <QFileDialog>
#include <QMenu>
#include <QMessageBox>
#include <QPixmap>

using namespace Qt::StringLiterals;

namespace wsinfra {

ChartView::ChartView(QChart *chart, QWidget *parent) : QChartView(chart, parent)
{
    setRenderHint(QPainter::Antialiasing);
}

Result<bool> ChartView::savePng(const QString &path)
{
    if (!grab().save(path, "PNG"))
        return Error{QString(ErrorCode::Unavailable), u"cannot write %1"_s.arg(QDir::toNativeSeparators(path))};
    return true;
}

void ChartView::contextMenuEvent(QContextMenuEvent *event)
{
    QMenu menu(this);
    menu.addAction(tr("Save as &PNG..."), this, [this] {
        const QString title = chart()->title().isEmpty() ? u"chart"_s : chart()->title();
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Save chart"), QDir::home().filePath(title + u".png"_s), tr("PNG image (*.png)"));
        if (path.isEmpty())
            return;
        if (const Result<bool> saved = savePng(path); !saved)
            QMessageBox::warning(this, tr("Save chart"), saved.error().message);
    });
    menu.exec(event->globalPos());
}

} // namespace wsinfra
