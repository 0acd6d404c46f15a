#pragma once

#include <QWidget>

namespace wsinfra {

class ConsoleSession;

/// The console's Connections page. (Stub until its helper fills it in.)
class ConnectionsPage : public QWidget
{
    Q_OBJECT

public:
    explicit ConnectionsPage(ConsoleSession *session, QWidget *parent = nullptr);

private:
    ConsoleSession *m_session;
};

} // namespace wsinfra
