#include "ui/pages/memorypage.h"

#include "consolesession.h"

namespace wsinfra {

MemoryPage::MemoryPage(ConsoleSession *session, QWidget *parent) : QWidget(parent), m_session(session) {}

} // namespace wsinfra
