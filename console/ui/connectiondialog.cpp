#include "ui/connectiondialog.h"

#include "controlclient.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QUrl>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace wsinfra {

ConnectionDialog::ConnectionDialog(RecentServers *recent, QWidget *parent)
    : QDialog(parent), m_recent(recent), m_servers(recent->load()), m_recentBox(new QComboBox(this)),
      m_host(new QLineEdit(this)), m_port(new QSpinBox(this)), m_token(new QLineEdit(this)),
      m_rememberToken(new QCheckBox(tr("&Remember the token on this computer"), this)),
      m_tls(new QCheckBox(tr("&Use TLS (wss://)"), this)), m_caCertificate(new QLineEdit(this)),
      m_browseCaCertificate(new QPushButton(tr("&Browse..."), this)), m_problem(new QLabel(this)),
      m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setWindowTitle(tr("Connect to a service"));
    m_recentBox->addItem(tr("New service"));
    for (const RecentServers::Server &server : std::as_const(m_servers))
        m_recentBox->addItem(server.name());
    m_recentBox->setObjectName(u"recentServers"_s);
    m_host->setObjectName(u"host"_s);
    m_host->setPlaceholderText(u"127.0.0.1"_s);
    m_port->setObjectName(u"port"_s);
    m_port->setRange(1, 65535);
    m_port->setValue(3001);
    m_token->setObjectName(u"token"_s);
    m_token->setEchoMode(QLineEdit::Password);
    m_token->setPlaceholderText(tr("WSINFRA_CONTROL_TOKEN of the service"));
    m_rememberToken->setObjectName(u"rememberToken"_s);
    m_rememberToken->setToolTip(tr("Stored in clear text in your settings file. Leave unticked on shared computers."));
    m_tls->setObjectName(u"tls"_s);
    m_tls->setToolTip(tr("For a service started with WSINFRA_CONTROL_TLS=true."));
    m_caCertificate->setObjectName(u"caCertificate"_s);
    m_caCertificate->setPlaceholderText(tr("Optional: PEM file of the CA that signed the service's certificate"));
    m_caCertificate->setToolTip(tr("Trusted in addition to the system's certificate authorities, e.g. for a "
                                   "self-signed certificate."));
    m_browseCaCertificate->setObjectName(u"browseCaCertificate"_s);
    m_problem->setObjectName(u"problem"_s);
    m_problem->setStyleSheet(u"color: #b3261e"_s);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("&Connect"));

    auto *form = new QFormLayout;
    form->addRow(tr("Recent:"), m_recentBox);
    form->addRow(tr("&Host:"), m_host);
    form->addRow(tr("&Port:"), m_port);
    form->addRow(tr("&Token:"), m_token);
    form->addRow(QString(), m_rememberToken);
    form->addRow(QString(), m_tls);
    auto *caRow = new QHBoxLayout;
    caRow->addWidget(m_caCertificate, 1);
    caRow->addWidget(m_browseCaCertificate);
    form->addRow(tr("C&A certificate:"), caRow);
    // The buddy of the row's label, for its mnemonic.
    if (auto *label = qobject_cast<QLabel *>(form->labelForField(caRow)))
        label->setBuddy(m_caCertificate);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_problem);
    layout->addWidget(m_buttons);

    connect(m_recentBox, &QComboBox::currentIndexChanged, this, &ConnectionDialog::pickRecent);
    connect(m_host, &QLineEdit::textChanged, this, &ConnectionDialog::validate);
    connect(m_token, &QLineEdit::textChanged, this, &ConnectionDialog::validate);
    connect(m_tls, &QCheckBox::toggled, this, &ConnectionDialog::validate);
    connect(m_caCertificate, &QLineEdit::textChanged, this, &ConnectionDialog::validate);
    connect(m_browseCaCertificate, &QPushButton::clicked, this, &ConnectionDialog::browseCaCertificate);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &ConnectionDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &ConnectionDialog::reject);
    if (!m_servers.isEmpty())
        m_recentBox->setCurrentIndex(1);
    validate();
}

void ConnectionDialog::setServer(const RecentServers::Server &server)
{
    m_host->setText(server.host);
    m_port->setValue(server.port);
    m_token->setText(server.token);
    m_rememberToken->setChecked(server.rememberToken);
    m_tls->setChecked(server.tls);
    m_caCertificate->setText(server.caCertificateFile);
    validate();
}

RecentServers::Server ConnectionDialog::server() const
{
    RecentServers::Server server;
    server.host = m_host->text().trimmed();
    if (server.host.isEmpty())
        server.host = m_host->placeholderText();
    server.port = quint16(m_port->value());
    server.token = m_token->text();
    server.rememberToken = m_rememberToken->isChecked();
    server.tls = m_tls->isChecked();
    if (server.tls)
        server.caCertificateFile = m_caCertificate->text().trimmed();
    return server;
}

void ConnectionDialog::accept()
{
    validate();
    if (!m_buttons->button(QDialogButtonBox::Ok)->isEnabled())
        return;
    m_recent->remember(server());
    QDialog::accept();
}

void ConnectionDialog::pickRecent(int index)
{
    if (index >= 1 && index <= m_servers.size())
        setServer(m_servers.at(index - 1));
}

void ConnectionDialog::browseCaCertificate()
{
    // Window-modal rather than exec(): the dialog stays responsive, and a test can answer it.
    auto *dialog = new QFileDialog(this, tr("CA certificate of the service"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setObjectName(u"caCertificateDialog"_s);
    dialog->setFileMode(QFileDialog::ExistingFile);
    dialog->setNameFilters({tr("PEM certificates (*.pem *.crt *.cer)"), tr("All files (*)")});
    const QString current = m_caCertificate->text().trimmed();
    if (!current.isEmpty())
        dialog->selectFile(current);
    connect(dialog, &QFileDialog::fileSelected, this,
            [this](const QString &file) { m_caCertificate->setText(QDir::toNativeSeparators(file)); });
    dialog->open();
}

void ConnectionDialog::validate()
{
    QString problem;
    QUrl check;
    check.setHost(server().host);
    if (check.host().isEmpty())
        problem = tr("The host must be a host name or an address.");
    else if (m_token->text().isEmpty())
        problem = tr("The service needs its control token.");
    else if (const QString ca = server().caCertificateFile; !ca.isEmpty() && !ControlClient::loadCaCertificates(ca))
        problem = tr("The CA certificate file cannot be read or holds no PEM certificate.");
    m_caCertificate->setEnabled(m_tls->isChecked());
    m_browseCaCertificate->setEnabled(m_tls->isChecked());
    m_problem->setText(problem);
    m_problem->setVisible(!problem.isEmpty());
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(problem.isEmpty());
}

} // namespace wsinfra
