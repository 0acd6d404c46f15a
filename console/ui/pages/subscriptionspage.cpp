#include "ui/pages/subscriptionspage.h"

#include "consolesession.h"

namespace wsinfra {

SubscriptionsPage::SubscriptionsPage(ConsoleSession *session, QWidget *parent) : QWidget(parent), m_session(session) {}

} // namespace wsinfra
