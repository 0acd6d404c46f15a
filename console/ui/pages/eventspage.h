#pragma once

#include <QWidget>

namespace wsinfra {

class ConsoleSession;

/// The console's Events page. (Stub until its helper fills it in.)
class EventsPage : public QWidget
{
    Q_OBJECT

public:
    explicit EventsPage(ConsoleSession *session, QWidget *parent = nullptr);

private:
    ConsoleSession *m_session;
};

} // namespace wsinfra
