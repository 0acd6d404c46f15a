#pragma once

#include <QWidget>

namespace wsinfra {

class ConsoleSession;

/// The console's Overview page. (Stub until its helper fills it in.)
class OverviewPage : public QWidget
{
    Q_OBJECT

public:
    explicit OverviewPage(ConsoleSession *session, QWidget *parent = nullptr);

private:
    ConsoleSession *m_session;
};

} // namespace wsinfra
