#pragma once

#include <QWidget>

namespace wsinfra {

class ConsoleSession;

/// The console's Broadcast page. (Stub until its helper fills it in.)
class BroadcastPage : public QWidget
{
    Q_OBJECT

public:
    explicit BroadcastPage(ConsoleSession *session, QWidget *parent = nullptr);

private:
    ConsoleSession *m_session;
};

} // namespace wsinfra
