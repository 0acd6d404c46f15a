#include "ui/pages/connectionspage.h"

#include "consolesession.h"

namespace wsinfra {

ConnectionsPage::ConnectionsPage(ConsoleSession *session, QWidget *parent) : QWidget(parent), m_session(session) {}

} // namespace wsinfra
