#pragma once

#include <QWidget>

namespace wsinfra {

class ConsoleSession;

/// The console's Subscriptions page. (Stub until its helper fills it in.)
class SubscriptionsPage : public QWidget
{
    Q_OBJECT

public:
    explicit SubscriptionsPage(ConsoleSession *session, QWidget *parent = nullptr);

private:
    ConsoleSession *m_session;
};

} // namespace wsinfra
