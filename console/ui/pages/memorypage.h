#pragma once

#include <QWidget>

namespace wsinfra {

class ConsoleSession;

/// The console's Memory page. (Stub until its helper fills it in.)
class MemoryPage : public QWidget
{
    Q_OBJECT

public:
    explicit MemoryPage(ConsoleSession *session, QWidget *parent = nullptr);

private:
    ConsoleSession *m_session;
};

} // namespace wsinfra
