#pragma once

#include <QWidget>

namespace wsinfra {

class ConsoleSession;

/// The console's Leaks page. (Stub until its helper fills it in.)
class LeaksPage : public QWidget
{
    Q_OBJECT

public:
    explicit LeaksPage(ConsoleSession *session, QWidget *parent = nullptr);

private:
    ConsoleSession *m_session;
};

} // namespace wsinfra
