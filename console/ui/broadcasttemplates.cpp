#include "ui/broadcasttemplates.h"

#include <QDateTime>

using namespace Qt::StringLiterals;

namespace wsinfra {

// Realistic starting points for a civic platform that follows bills through parliament.
QList<BroadcastTemplate> broadcastTemplates(BroadcastPage::Target target)
{
    const QString now = QDateTime::currentDateTimeUtc().toString(Qt::ISODate);
    switch (target) {
    case BroadcastPage::BillUpdate:
        return {
            {BroadcastPage::tr("Status change"),
             {{u"status"_s, u"passed_second_reading"_s},
              {u"title"_s, u"Clean Energy Transition Act"_s},
              {u"changed_at"_s, now}}},
            {BroadcastPage::tr("Vote scheduled"),
             {{u"status"_s, u"vote_scheduled"_s},
              {u"title"_s, u"Clean Energy Transition Act"_s},
              {u"chamber"_s, u"lower_house"_s},
              {u"vote_at"_s, QDateTime::currentDateTimeUtc().addDays(7).toString(Qt::ISODate)},
              {u"changed_at"_s, now}}},
            {BroadcastPage::tr("Amendment tabled"),
             {{u"status"_s, u"amendment_tabled"_s},
              {u"title"_s, u"Clean Energy Transition Act"_s},
              {u"amendment"_s, QJsonObject{{u"number"_s, 12},
                                           {u"sponsor"_s, u"Committee on Energy and Climate"_s},
                                           {u"summary"_s, u"Moves the coal phase-out date from 2035 to 2032."_s}}},
              {u"changed_at"_s, now}}},
            {BroadcastPage::tr("Royal assent"),
             {{u"status"_s, u"enacted"_s}, {u"title"_s, u"Clean Energy Transition Act"_s}, {u"changed_at"_s, now}}},
        };
    case BroadcastPage::UserNotification:
        return {
            {BroadcastPage::tr("A followed bill moved"),
             {{u"title"_s, u"A bill you follow has moved"_s},
              {u"body"_s, u"The Clean Energy Transition Act passed its second reading."_s},
              {u"bill_id"_s, 7}}},
            {BroadcastPage::tr("Vote reminder"),
             {{u"title"_s, u"Vote tomorrow"_s},
              {u"body"_s, u"The final vote on the Clean Energy Transition Act is tomorrow at 14:00."_s}}},
            {BroadcastPage::tr("Account notice"),
             {{u"title"_s, u"Your alert settings changed"_s},
              {u"body"_s, u"You now get an email for every status change of the bills you follow."_s}}},
        };
    case BroadcastPage::BroadcastToAll:
        return {
            {BroadcastPage::tr("Scheduled maintenance"),
             {{u"message"_s, u"Scheduled maintenance at 22:00 UTC"_s}, {u"severity"_s, u"info"_s}}},
            {BroadcastPage::tr("Sitting suspended"),
             {{u"message"_s, u"Today's sitting is suspended; live updates resume tomorrow at 09:00."_s},
              {u"severity"_s, u"warning"_s}}},
        };
    }
    return {};
}

} // namespace wsinfra
