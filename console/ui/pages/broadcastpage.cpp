#include "ui/pages/broadcastpage.h"

#include "consolesession.h"

namespace wsinfra {

BroadcastPage::BroadcastPage(ConsoleSession *session, QWidget *parent) : QWidget(parent), m_session(session) {}

} // namespace wsinfra
