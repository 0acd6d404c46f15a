#include "ui/pages/leakspage.h"

#include "consolesession.h"

namespace wsinfra {

LeaksPage::LeaksPage(ConsoleSession *session, QWidget *parent) : QWidget(parent), m_session(session) {}

} // namespace wsinfra
