#include "ui/pages/overviewpage.h"

#include "consolesession.h"

namespace wsinfra {

OverviewPage::OverviewPage(ConsoleSession *session, QWidget *parent) : QWidget(parent), m_session(session) {}

} // namespace wsinfra
