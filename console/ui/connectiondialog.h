#pragma once

#include "recentservers.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace wsinfra {

/// File -> Connect: host, port and control token of a service, whether its control port speaks TLS and the CA
/// file to check its certificate with, with the recent services to pick from. Accepting remembers the entry
/// (the token only if "Remember token" is ticked).
class ConnectionDialog : public QDialog
{
    Q_OBJECT

public:
    ConnectionDialog(RecentServers *recent, QWidget *parent = nullptr);

    /// Fills the fields, e.g. from the command line or the entry connected to last.
    void setServer(const RecentServers::Server &server);
    /// What the fields say now.
    RecentServers::Server server() const;

    void accept() override;

private:
    void pickRecent(int index);
    void browseCaCertificate();
    void validate();

    RecentServers *m_recent;
    QList<RecentServers::Server> m_servers;
    QComboBox *m_recentBox;
    QLineEdit *m_host;
    QSpinBox *m_port;
    QLineEdit *m_token;
    QCheckBox *m_rememberToken;
    QCheckBox *m_tls;
    QLineEdit *m_caCertificate;
    QPushButton *m_browseCaCertificate;
    QLabel *m_problem;
    QDialogButtonBox *m_buttons;
};

} // namespace wsinfra
