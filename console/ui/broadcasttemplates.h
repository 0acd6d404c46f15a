#pragma once

#include "ui/pages/broadcastpage.h"

#include <QJsonObject>
#include <QList>
#include <QString>

namespace wsinfra {

/// A starting point of the Broadcast page's editor: a name for the menu and the payload it fills in.
struct BroadcastTemplate
{
    QString name;
    QJsonObject payload;
};

/// The templates for messages to `target`, realistic for a platform that follows bills through parliament
/// (times are now, in UTC). Their names are translated in the Broadcast page's context.
QList<BroadcastTemplate> broadcastTemplates(BroadcastPage::Target target);

} // namespace wsinfra
