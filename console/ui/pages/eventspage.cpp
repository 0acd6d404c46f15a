#include "ui/pages/eventspage.h"

#include "consolesession.h"

namespace wsinfra {

EventsPage::EventsPage(ConsoleSession *session, QWidget *parent) : QWidget(parent), m_session(session) {}

} // namespace wsinfra
