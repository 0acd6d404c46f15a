<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr">
<context>
    <name>wsinfra::BroadcastPage</name>
    <message>
        <source>Status change</source>
        <translation>Changement de statut</translation>
    </message>
    <message>
        <source>Vote scheduled</source>
        <translation>Vote programmé</translation>
    </message>
    <message>
        <source>Amendment tabled</source>
        <translation>Amendement déposé</translation>
    </message>
    <message>
        <source>Royal assent</source>
        <translation>Sanction royale</translation>
    </message>
    <message>
        <source>A followed bill moved</source>
        <translation>Un projet de loi suivi a avancé</translation>
    </message>
    <message>
        <source>Vote reminder</source>
        <translation>Rappel de vote</translation>
    </message>
    <message>
        <source>Account notice</source>
        <translation>Avis concernant le compte</translation>
    </message>
    <message>
        <source>Scheduled maintenance</source>
        <translation>Maintenance programmée</translation>
    </message>
    <message>
        <source>Sitting suspended</source>
        <translation>Séance suspendue</translation>
    </message>
    <message>
        <source>Bill update</source>
        <translation>Mise à jour d&apos;un projet de loi</translation>
    </message>
    <message>
        <source>User notification</source>
        <translation>Notification à un utilisateur</translation>
    </message>
    <message>
        <source>Broadcast to everyone</source>
        <translation>Diffusion à tous</translation>
    </message>
    <message>
        <source>&amp;Format</source>
        <translation>&amp;Mettre en forme</translation>
    </message>
    <message>
        <source>&amp;Send</source>
        <translation>&amp;Envoyer</translation>
    </message>
    <message>
        <source>e.g. 7</source>
        <translation>p. ex. 7</translation>
    </message>
    <message>
        <source>e.g. amy</source>
        <translation>p. ex. amy</translation>
    </message>
    <message>
        <source>optional</source>
        <translation>facultatif</translation>
    </message>
    <message>
        <source>A repeat with the same key within the service&apos;s dedupe window is answered with the first message&apos;s id and is not delivered again.</source>
        <translation>Un renvoi avec la même clé pendant la fenêtre de déduplication du service reçoit en réponse l&apos;id du premier message et n&apos;est pas distribué à nouveau.</translation>
    </message>
    <message>
        <source>Fills the editor with a typical payload</source>
        <translation>Remplit l&apos;éditeur avec une charge utile type</translation>
    </message>
    <message>
        <source>Pretty-print the payload</source>
        <translation>Indente la charge utile pour la rendre lisible</translation>
    </message>
    <message>
        <source>{&quot;status&quot;: &quot;passed_second_reading&quot;, ...}</source>
        <translation>{&quot;status&quot;: &quot;passed_second_reading&quot;, ...}</translation>
    </message>
    <message>
        <source>Publish the message (Ctrl+Return)</source>
        <translation>Publier le message (Ctrl+Entrée)</translation>
    </message>
    <message>
        <source>Nothing sent yet. The service&apos;s answer to the last message shows here.</source>
        <translation>Rien n&apos;a encore été envoyé. La réponse du service au dernier message s&apos;affiche ici.</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Heure</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>Cible</translation>
    </message>
    <message>
        <source>Id</source>
        <translation>Id</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>Résultat</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>Message</translation>
    </message>
    <message>
        <source>Send &amp;to:</source>
        <translation>E&amp;nvoyer à :</translation>
    </message>
    <message>
        <source>&amp;Bill id:</source>
        <translation>Id du &amp;projet de loi :</translation>
    </message>
    <message>
        <source>&amp;User id:</source>
        <translation>Id de l&apos;&amp;utilisateur :</translation>
    </message>
    <message>
        <source>Idempotency &amp;key:</source>
        <translation>&amp;Clé d&apos;idempotence :</translation>
    </message>
    <message>
        <source>&amp;Payload (a JSON object, sent to the clients as &quot;data&quot;):</source>
        <translation>C&amp;harge utile (un objet JSON, transmis aux clients dans &quot;data&quot;) :</translation>
    </message>
    <message>
        <source>Answer</source>
        <translation>Réponse</translation>
    </message>
    <message>
        <source>History</source>
        <translation>Historique</translation>
    </message>
    <message>
        <source>Newest first. Double-click a row to load its message into the editor.</source>
        <translation>Les plus récents en premier. Double-cliquez sur une ligne pour charger son message dans l&apos;éditeur.</translation>
    </message>
    <message>
        <source>Templates...</source>
        <translation>Modèles...</translation>
    </message>
    <message>
        <source>Type a JSON object, or pick a template.</source>
        <translation>Saisissez un objet JSON ou choisissez un modèle.</translation>
    </message>
    <message>
        <source>The payload must be a JSON object ({...}), not an array or a single value.</source>
        <translation>La charge utile doit être un objet JSON ({...}), et non un tableau ou une valeur isolée.</translation>
    </message>
    <message>
        <source>control character U+%1 (write it as \u%1)</source>
        <translation>caractère de contrôle U+%1 (à écrire \u%1)</translation>
    </message>
    <message>
        <source>Not valid JSON at line %1, column %2 (offset %3): %4.</source>
        <translation>JSON non valide à la ligne %1, colonne %2 (position %3) : %4.</translation>
    </message>
    <message numerus="yes">
        <source>Valid JSON object: %n field(s), %1.</source>
        <translation>
            <numerusform>Objet JSON valide : %n champ, %1.</numerusform>
            <numerusform>Objet JSON valide : %n champs, %1.</numerusform>
        </translation>
    </message>
    <message>
        <source>Enter the id of the bill whose subscribers get the update.</source>
        <translation>Saisissez l&apos;id du projet de loi dont les abonnés recevront la mise à jour.</translation>
    </message>
    <message>
        <source>Enter the id of the user whose clients get the notification.</source>
        <translation>Saisissez l&apos;id de l&apos;utilisateur dont les clients recevront la notification.</translation>
    </message>
    <message>
        <source>Cannot be sent: %1.</source>
        <translation>Envoi impossible : %1.</translation>
    </message>
    <message>
        <source>everyone</source>
        <translation>tout le monde</translation>
    </message>
    <message>
        <source>Not connected to a service: connect first (File &gt; Connect).</source>
        <translation>Non connecté à un service : connectez-vous d&apos;abord (Fichier &gt; Se connecter).</translation>
    </message>
    <message>
        <source>Waiting for the answer to the last message...</source>
        <translation>En attente de la réponse au dernier message...</translation>
    </message>
    <message>
        <source>Correct the recipient first.</source>
        <translation>Corrigez d&apos;abord le destinataire.</translation>
    </message>
    <message>
        <source>Correct the payload first.</source>
        <translation>Corrigez d&apos;abord la charge utile.</translation>
    </message>
    <message>
        <source>Ready: %1 to %2.</source>
        <translation>Prêt : %1 (destinataire : %2).</translation>
    </message>
    <message>
        <source>&lt;b&gt;Not sent:&lt;/b&gt; the console is not connected to the service.</source>
        <translation>&lt;b&gt;Non envoyé :&lt;/b&gt; la console n&apos;est pas connectée au service.</translation>
    </message>
    <message>
        <source>Sent. Waiting for the service&apos;s answer...</source>
        <translation>Envoyé. En attente de la réponse du service...</translation>
    </message>
    <message>
        <source>Message id:</source>
        <translation>Id du message :</translation>
    </message>
    <message>
        <source>offset %1</source>
        <translation>position %1</translation>
    </message>
    <message>
        <source>Offset:</source>
        <translation>Position :</translation>
    </message>
    <message numerus="yes">
        <source>delivered to %n</source>
        <translation>
            <numerusform>distribué à %n connexion</numerusform>
            <numerusform>distribué à %n connexions</numerusform>
        </translation>
    </message>
    <message>
        <source>Delivered:</source>
        <translation>Distribué à :</translation>
    </message>
    <message numerus="yes">
        <source>%n live connection(s)</source>
        <translation>
            <numerusform>%n connexion active</numerusform>
            <numerusform>%n connexions actives</numerusform>
        </translation>
    </message>
    <message>
        <source>duplicate</source>
        <translation>doublon</translation>
    </message>
    <message>
        <source>Duplicate: the service had seen this idempotency key; nothing was delivered again.</source>
        <translation>Doublon : le service avait déjà vu cette clé d&apos;idempotence ; rien n&apos;a été distribué à nouveau.</translation>
    </message>
    <message>
        <source>stored</source>
        <translation>conservé</translation>
    </message>
    <message>
        <source>Stored in the user&apos;s inbox until one of their clients acknowledges it.</source>
        <translation>Conservé dans la boîte de réception de l&apos;utilisateur jusqu&apos;à ce que l&apos;un de ses clients en accuse réception.</translation>
    </message>
    <message>
        <source>Only this node&apos;s clients got it: the cluster link is down.</source>
        <translation>Seuls les clients de ce nœud l&apos;ont reçu : la liaison du cluster est coupée.</translation>
    </message>
    <message>
        <source>Published</source>
        <translation>Publié</translation>
    </message>
    <message>
        <source>refused: %1 (%2)</source>
        <translation>refusé : %1 (%2)</translation>
    </message>
    <message>
        <source>Refused by the service</source>
        <translation>Refusé par le service</translation>
    </message>
    <message>
        <source>no answer: the link to the service dropped (the message may have been published)</source>
        <translation>pas de réponse : la liaison avec le service a été coupée (le message a peut-être été publié)</translation>
    </message>
    <message>
        <source>No answer</source>
        <translation>Pas de réponse</translation>
    </message>
    <message>
        <source>waiting for the answer...</source>
        <translation>en attente de la réponse...</translation>
    </message>
</context>
<context>
    <name>wsinfra::ChartView</name>
    <message>
        <source>Save as &amp;PNG...</source>
        <translation>Enregistrer en &amp;PNG...</translation>
    </message>
    <message>
        <source>Save chart</source>
        <translation>Enregistrer le graphique</translation>
    </message>
    <message>
        <source>PNG image (*.png)</source>
        <translation>Image PNG (*.png)</translation>
    </message>
</context>
<context>
    <name>wsinfra::ConnectionDialog</name>
    <message>
        <source>&amp;Remember the token on this computer</source>
        <translation>&amp;Mémoriser le jeton sur cet ordinateur</translation>
    </message>
    <message>
        <source>Connect to a service</source>
        <translation>Se connecter à un service</translation>
    </message>
    <message>
        <source>New service</source>
        <translation>Nouveau service</translation>
    </message>
    <message>
        <source>WSINFRA_CONTROL_TOKEN of the service</source>
        <translation>WSINFRA_CONTROL_TOKEN du service</translation>
    </message>
    <message>
        <source>Stored in clear text in your settings file. Leave unticked on shared computers.</source>
        <translation>Enregistré en clair dans votre fichier de paramètres. Laissez décoché sur les ordinateurs partagés.</translation>
    </message>
    <message>
        <source>&amp;Connect</source>
        <translation>Se &amp;connecter</translation>
    </message>
    <message>
        <source>Recent:</source>
        <translation>Récents :</translation>
    </message>
    <message>
        <source>&amp;Host:</source>
        <translation>&amp;Hôte :</translation>
    </message>
    <message>
        <source>&amp;Port:</source>
        <translation>&amp;Port :</translation>
    </message>
    <message>
        <source>&amp;Token:</source>
        <translation>&amp;Jeton :</translation>
    </message>
    <message>
        <source>The host must be a host name or an address.</source>
        <translation>L&apos;hôte doit être un nom d&apos;hôte ou une adresse.</translation>
    </message>
    <message>
        <source>The service needs its control token.</source>
        <translation>Le service exige son jeton de contrôle.</translation>
    </message>
    <message>
        <source>&amp;Use TLS (wss://)</source>
        <translation>&amp;Utiliser TLS (wss://)</translation>
    </message>
    <message>
        <source>&amp;Browse...</source>
        <translation>Pa&amp;rcourir...</translation>
    </message>
    <message>
        <source>For a service started with WSINFRA_CONTROL_TLS=true.</source>
        <translation>Pour un service démarré avec WSINFRA_CONTROL_TLS=true.</translation>
    </message>
    <message>
        <source>Optional: PEM file of the CA that signed the service&apos;s certificate</source>
        <translation>Facultatif : fichier PEM de l&apos;autorité qui a signé le certificat du service</translation>
    </message>
    <message>
        <source>Trusted in addition to the system&apos;s certificate authorities, e.g. for a self-signed certificate.</source>
        <translation>Approuvé en plus des autorités de certification du système, par exemple pour un certificat auto-signé.</translation>
    </message>
    <message>
        <source>C&amp;A certificate:</source>
        <translation>Certificat de l&apos;&amp;AC :</translation>
    </message>
    <message>
        <source>CA certificate of the service</source>
        <translation>Certificat de l&apos;AC du service</translation>
    </message>
    <message>
        <source>PEM certificates (*.pem *.crt *.cer)</source>
        <translation>Certificats PEM (*.pem *.crt *.cer)</translation>
    </message>
    <message>
        <source>All files (*)</source>
        <translation>Tous les fichiers (*)</translation>
    </message>
    <message>
        <source>The CA certificate file cannot be read or holds no PEM certificate.</source>
        <translation>Le fichier du certificat de l&apos;AC est illisible ou ne contient aucun certificat PEM.</translation>
    </message>
</context>
<context>
    <name>wsinfra::ConnectionsModel</name>
    <message>
        <source>Id</source>
        <translation>Id</translation>
    </message>
    <message>
        <source>User</source>
        <translation>Utilisateur</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Adresse</translation>
    </message>
    <message>
        <source>Transport</source>
        <translation>Transport</translation>
    </message>
    <message>
        <source>Connected since</source>
        <translation>Connecté depuis</translation>
    </message>
    <message>
        <source>Bills</source>
        <translation>Projets de loi</translation>
    </message>
    <message>
        <source>Queued</source>
        <translation>En file d&apos;attente</translation>
    </message>
    <message>
        <source>Last seen</source>
        <translation>Dernière activité</translation>
    </message>
    <message>
        <source>In</source>
        <translation>Reçus</translation>
    </message>
    <message>
        <source>Out</source>
        <translation>Envoyés</translation>
    </message>
</context>
<context>
    <name>wsinfra::ConnectionsPage</name>
    <message>
        <source>Id:</source>
        <translation>Id :</translation>
    </message>
    <message>
        <source>User:</source>
        <translation>Utilisateur :</translation>
    </message>
    <message>
        <source>Address:</source>
        <translation>Adresse :</translation>
    </message>
    <message>
        <source>Transport:</source>
        <translation>Transport :</translation>
    </message>
    <message>
        <source>Connected since:</source>
        <translation>Connecté depuis :</translation>
    </message>
    <message>
        <source>Queued for it:</source>
        <translation>En file d&apos;attente :</translation>
    </message>
    <message>
        <source>Last activity:</source>
        <translation>Dernière activité :</translation>
    </message>
    <message>
        <source>Disconnect</source>
        <translation>Déconnecter</translation>
    </message>
    <message>
        <source>Selected connection</source>
        <translation>Connexion sélectionnée</translation>
    </message>
    <message>
        <source>Select a connection to see its details and the bills it follows.</source>
        <translation>Sélectionnez une connexion pour voir ses détails et les projets de loi qu&apos;elle suit.</translation>
    </message>
    <message>
        <source>Filter by id, user, address or transport</source>
        <translation>Filtrer par id, utilisateur, adresse ou transport</translation>
    </message>
    <message>
        <source>Close the selected connections (code 4503). Their clients may reconnect.</source>
        <translation>Ferme les connexions sélectionnées (code 4503). Leurs clients peuvent se reconnecter.</translation>
    </message>
    <message>
        <source>Bills followed:</source>
        <translation>Projets de loi suivis :</translation>
    </message>
    <message>
        <source>Disconnect connection %1 of user %2?</source>
        <translation>Déconnecter la connexion %1 de l&apos;utilisateur %2 ?</translation>
    </message>
    <message numerus="yes">
        <source>Disconnect the %n selected connections?</source>
        <translation>
            <numerusform>Déconnecter %n connexion sélectionnée ?</numerusform>
            <numerusform>Déconnecter les %n connexions sélectionnées ?</numerusform>
        </translation>
    </message>
    <message>
        <source>The service closes them with code 4503; their clients may reconnect.</source>
        <translation>Le service les ferme avec le code 4503 ; leurs clients peuvent se reconnecter.</translation>
    </message>
    <message>
        <source>Not connected to a service: nothing was sent.</source>
        <translation>Non connecté à un service : rien n&apos;a été envoyé.</translation>
    </message>
    <message>
        <source>Closing connection %1...</source>
        <translation>Fermeture de la connexion %1...</translation>
    </message>
    <message numerus="yes">
        <source>Closing %n connections...</source>
        <translation>
            <numerusform>Fermeture de %n connexion...</numerusform>
            <numerusform>Fermeture de %n connexions...</numerusform>
        </translation>
    </message>
    <message>
        <source>Connection %1 was closed.</source>
        <translation>La connexion %1 a été fermée.</translation>
    </message>
    <message>
        <source>Connection %1 had already gone.</source>
        <translation>La connexion %1 avait déjà disparu.</translation>
    </message>
    <message>
        <source>Could not close connection %1: %2 (%3)</source>
        <translation>Impossible de fermer la connexion %1 : %2 (%3)</translation>
    </message>
    <message numerus="yes">
        <source>%1 of %n connections</source>
        <translation>
            <numerusform>%1 sur %n connexion</numerusform>
            <numerusform>%1 sur %n connexions</numerusform>
        </translation>
    </message>
    <message>
        <source>Bill %1</source>
        <translation>Projet de loi %1</translation>
    </message>
    <message>
        <source>&amp;Disconnect...</source>
        <translation>&amp;Déconnecter...</translation>
    </message>
    <message>
        <source>Copy &amp;id</source>
        <translation>Copier l&apos;&amp;id</translation>
    </message>
    <message>
        <source>Copy &amp;user</source>
        <translation>Copier l&apos;&amp;utilisateur</translation>
    </message>
    <message>
        <source>Messages received:</source>
        <translation>Messages reçus :</translation>
    </message>
    <message>
        <source>Messages sent:</source>
        <translation>Messages envoyés :</translation>
    </message>
</context>
<context>
    <name>wsinfra::EventsModel</name>
    <message>
        <source>Time</source>
        <translation>Heure</translation>
    </message>
    <message>
        <source>Level</source>
        <translation>Niveau</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>Catégorie</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>Message</translation>
    </message>
</context>
<context>
    <name>wsinfra::EventsPage</name>
    <message>
        <source>Error</source>
        <translation>Erreur</translation>
    </message>
    <message>
        <source>Warning</source>
        <translation>Avertissement</translation>
    </message>
    <message>
        <source>Info</source>
        <translation>Info</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>Pause</translation>
    </message>
    <message>
        <source>All levels</source>
        <translation>Tous les niveaux</translation>
    </message>
    <message>
        <source>Warnings and errors</source>
        <translation>Avertissements et erreurs</translation>
    </message>
    <message>
        <source>Errors</source>
        <translation>Erreurs</translation>
    </message>
    <message>
        <source>Filter by category or message</source>
        <translation>Filtrer par catégorie ou message</translation>
    </message>
    <message>
        <source>Stop following the newest events, to read in peace. Events still arrive.</source>
        <translation>Arrête de suivre les événements les plus récents, pour lire tranquillement. Les événements continuent d&apos;arriver.</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Reprendre</translation>
    </message>
    <message>
        <source>Show:</source>
        <translation>Afficher :</translation>
    </message>
    <message numerus="yes">
        <source>%1 of %n events</source>
        <translation>
            <numerusform>%1 sur %n événement</numerusform>
            <numerusform>%1 sur %n événements</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 (paused)</source>
        <translation>%1 (en pause)</translation>
    </message>
</context>
<context>
    <name>wsinfra::LeaksPage</name>
    <message>
        <source>Reports</source>
        <translation>Rapports</translation>
    </message>
    <message>
        <source>A report comes every minute while connected; &quot;Analyse now&quot; on the Memory page asks for one.</source>
        <translation>Un rapport arrive chaque minute tant que la console est connectée ; « Analyser maintenant », sur la page Mémoire, en demande un.</translation>
    </message>
    <message>
        <source>No leak report yet.</source>
        <translation>Aucun rapport de fuites pour le moment.</translation>
    </message>
    <message>
        <source>Structure</source>
        <translation>Structure</translation>
    </message>
    <message>
        <source>Entries</source>
        <translation>Entrées</translation>
    </message>
    <message>
        <source>Estimated size</source>
        <translation>Taille estimée</translation>
    </message>
    <message>
        <source>Per entry</source>
        <translation>Par entrée</translation>
    </message>
    <message>
        <source>Share</source>
        <translation>Part</translation>
    </message>
    <message>
        <source>Series</source>
        <translation>Série</translation>
    </message>
    <message>
        <source>Growth</source>
        <translation>Croissance</translation>
    </message>
    <message>
        <source>Slope per minute</source>
        <translation>Pente par minute</translation>
    </message>
    <message>
        <source>Confidence (R²)</source>
        <translation>Confiance (R²)</translation>
    </message>
    <message>
        <source>From</source>
        <translation>Début</translation>
    </message>
    <message>
        <source>To</source>
        <translation>Fin</translation>
    </message>
    <message>
        <source>Window</source>
        <translation>Fenêtre</translation>
    </message>
    <message>
        <source>Samples</source>
        <translation>Échantillons</translation>
    </message>
    <message>
        <source>Connections growth</source>
        <translation>Croissance des connexions</translation>
    </message>
    <message>
        <source>Shard</source>
        <translation>Partition</translation>
    </message>
    <message>
        <source>Connection</source>
        <translation>Connexion</translation>
    </message>
    <message>
        <source>Detail</source>
        <translation>Détail</translation>
    </message>
    <message>
        <source>%1
%2, %3</source>
        <translation>%1
%2, %3</translation>
    </message>
    <message numerus="yes">
        <source>%n orphans</source>
        <translation>
            <numerusform>%n orphelin</numerusform>
            <numerusform>%n orphelins</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n growing</source>
        <translation>
            <numerusform>%n en croissance</numerusform>
            <numerusform>%n en croissance</numerusform>
        </translation>
    </message>
    <message>
        <source>Leak report of %1</source>
        <translation>Rapport de fuites du %1</translation>
    </message>
    <message>
        <source>No orphaned entries and no series growing on its own.</source>
        <translation>Aucune entrée orpheline et aucune série qui croît d&apos;elle-même.</translation>
    </message>
    <message>
        <source>Findings: %1 and %2.</source>
        <translation>Constats : %1 et %2.</translation>
    </message>
    <message numerus="yes">
        <source>%n orphaned entries</source>
        <translation>
            <numerusform>%n entrée orpheline</numerusform>
            <numerusform>%n entrées orphelines</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n growing series</source>
        <translation>
            <numerusform>%n série en croissance</numerusform>
            <numerusform>%n séries en croissance</numerusform>
        </translation>
    </message>
    <message>
        <source>Process: %1 resident of a %2 budget (%3 %), level %4.</source>
        <translation>Processus : %1 en mémoire résidente sur un budget de %2 (%3 %), niveau %4.</translation>
    </message>
    <message>
        <source>Service: %1, %2 on %3, %4 (%5), %6, %7.</source>
        <translation>Service : %1, %2 sur %3, %4 (%5), %6, %7.</translation>
    </message>
    <message numerus="yes">
        <source>%n connections</source>
        <translation>
            <numerusform>%n connexion</numerusform>
            <numerusform>%n connexions</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n subscriptions</source>
        <translation>
            <numerusform>%n abonnement</numerusform>
            <numerusform>%n abonnements</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n bills</source>
        <translation>
            <numerusform>%n projet de loi</numerusform>
            <numerusform>%n projets de loi</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n queued messages</source>
        <translation>
            <numerusform>%n message en file d&apos;attente</numerusform>
            <numerusform>%n messages en file d&apos;attente</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n history entries</source>
        <translation>
            <numerusform>%n entrée d&apos;historique</numerusform>
            <numerusform>%n entrées d&apos;historique</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n inbox entries</source>
        <translation>
            <numerusform>%n entrée de boîte de réception</numerusform>
            <numerusform>%n entrées de boîte de réception</numerusform>
        </translation>
    </message>
    <message>
        <source>Growth analysis over %1 of at most %2 samples.</source>
        <translation>Analyse de croissance sur %1 échantillons (%2 au maximum).</translation>
    </message>
    <message>
        <source>%1 %</source>
        <translation>%1 %</translation>
    </message>
    <message>
        <source>Total estimated: %1</source>
        <translation>Total estimé : %1</translation>
    </message>
    <message>
        <source>Memory estimates (%1)</source>
        <translation>Estimations mémoire (%1)</translation>
    </message>
    <message>
        <source>%1 min</source>
        <translation>%1 min</translation>
    </message>
    <message>
        <source>Growth trends (%1)</source>
        <translation>Tendances de croissance (%1)</translation>
    </message>
    <message>
        <source>Orphans (%1)</source>
        <translation>Orphelins (%1)</translation>
    </message>
    <message>
        <source>Warnings (%1)</source>
        <translation>Avertissements (%1)</translation>
    </message>
</context>
<context>
    <name>wsinfra::MainWindow</name>
    <message>
        <source>wsinfra console</source>
        <translation>Console wsinfra</translation>
    </message>
    <message numerus="yes">
        <source>reconnecting in %n s</source>
        <translation>
            <numerusform>reconnexion dans %n s</numerusform>
            <numerusform>reconnexion dans %n s</numerusform>
        </translation>
    </message>
    <message>
        <source>Refused by the service: %1 (%2)</source>
        <translation>Refusé par le service : %1 (%2)</translation>
    </message>
    <message>
        <source>Cannot connect: %1</source>
        <translation>Connexion impossible : %1</translation>
    </message>
    <message>
        <source>The service sent an update this console cannot read (%1); asked for a fresh snapshot.</source>
        <translation>Le service a envoyé une mise à jour que cette console ne sait pas lire (%1) ; un nouvel instantané a été demandé.</translation>
    </message>
    <message>
        <source>Overview</source>
        <translation>Vue d&apos;ensemble</translation>
    </message>
    <message>
        <source>Connections</source>
        <translation>Connexions</translation>
    </message>
    <message>
        <source>Memory</source>
        <translation>Mémoire</translation>
    </message>
    <message>
        <source>Leaks</source>
        <translation>Fuites</translation>
    </message>
    <message>
        <source>Subscriptions</source>
        <translation>Abonnements</translation>
    </message>
    <message>
        <source>Broadcast</source>
        <translation>Diffusion</translation>
    </message>
    <message>
        <source>Events</source>
        <translation>Événements</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Fichier</translation>
    </message>
    <message>
        <source>&amp;Connect...</source>
        <translation>Se &amp;connecter...</translation>
    </message>
    <message>
        <source>&amp;Disconnect</source>
        <translation>Se &amp;déconnecter</translation>
    </message>
    <message>
        <source>&amp;Export snapshot...</source>
        <translation>&amp;Exporter un instantané...</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Quitter</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Affichage</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>Aid&amp;e</translation>
    </message>
    <message>
        <source>&amp;About wsinfra console</source>
        <translation>À &amp;propos de la console wsinfra</translation>
    </message>
    <message>
        <source>About &amp;Qt</source>
        <translation>À propos de &amp;Qt</translation>
    </message>
    <message>
        <source>wsinfra console - %1</source>
        <translation>Console wsinfra - %1</translation>
    </message>
    <message>
        <source>Export snapshot</source>
        <translation>Exporter un instantané</translation>
    </message>
    <message>
        <source>Snapshot as JSON (*.json);;Time series and tables as CSV (*.csv)</source>
        <translation>Instantané en JSON (*.json);;Séries temporelles et tableaux en CSV (*.csv)</translation>
    </message>
    <message>
        <source>Exported to %1</source>
        <translation>Exporté vers %1</translation>
    </message>
    <message>
        <source>About wsinfra console</source>
        <translation>À propos de la console wsinfra</translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;wsinfra console %1&lt;/b&gt;&lt;/p&gt;&lt;p&gt;The operations console of the wsinfra real-time service: live connections, memory pressure, leak reports, subscriptions and broadcasts, over the service&apos;s control port.&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;Console wsinfra %1&lt;/b&gt;&lt;/p&gt;&lt;p&gt;La console d&apos;exploitation du service temps réel wsinfra : connexions en direct, pression mémoire, rapports de fuites, abonnements et diffusions, via le port de contrôle du service.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Live</source>
        <translation>En direct</translation>
    </message>
    <message>
        <source>Lagging</source>
        <translation>En retard</translation>
    </message>
    <message>
        <source>Connecting...</source>
        <translation>Connexion...</translation>
    </message>
    <message>
        <source>Disconnected</source>
        <translation>Déconnecté</translation>
    </message>
    <message>
        <source>Disconnected, %1</source>
        <translation>Déconnecté, %1</translation>
    </message>
    <message>
        <source>update %1 at %2</source>
        <translation>mise à jour n° %1 à %2</translation>
    </message>
    <message>
        <source>certificate not trusted</source>
        <translation>certificat non approuvé</translation>
    </message>
    <message>
        <source>Not connected: %1</source>
        <translation>Non connecté : %1</translation>
    </message>
</context>
<context>
    <name>wsinfra::MemoryLevel</name>
    <message>
        <source>Normal</source>
        <translation>Normal</translation>
    </message>
    <message>
        <source>Warning</source>
        <translation>Alerte</translation>
    </message>
    <message>
        <source>Critical</source>
        <translation>Critique</translation>
    </message>
    <message>
        <source>Emergency</source>
        <translation>Urgence</translation>
    </message>
</context>
<context>
    <name>wsinfra::MemoryPage</name>
    <message>
        <source>Analyse now</source>
        <translation>Analyser maintenant</translation>
    </message>
    <message>
        <source>Current</source>
        <translation>Actuellement</translation>
    </message>
    <message>
        <source>Resident memory</source>
        <translation>Mémoire résidente</translation>
    </message>
    <message>
        <source>Budget</source>
        <translation>Budget</translation>
    </message>
    <message>
        <source>Pressure</source>
        <translation>Pression</translation>
    </message>
    <message>
        <source>Level</source>
        <translation>Niveau</translation>
    </message>
    <message>
        <source>5 minutes</source>
        <translation>5 minutes</translation>
    </message>
    <message>
        <source>1 hour</source>
        <translation>1 heure</translation>
    </message>
    <message>
        <source>All</source>
        <translation>Tout</translation>
    </message>
    <message>
        <source>Ask the service for a leak report now (the Leaks page shows it in full)</source>
        <translation>Demande tout de suite un rapport de fuites au service (la page Fuites l&apos;affiche en entier)</translation>
    </message>
    <message>
        <source>&amp;Show:</source>
        <translation>&amp;Afficher :</translation>
    </message>
    <message>
        <source>Memory pressure and resident size</source>
        <translation>Pression mémoire et taille résidente</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Heure</translation>
    </message>
    <message>
        <source>Pressure (% of budget)</source>
        <translation>Pression (% du budget)</translation>
    </message>
    <message>
        <source>Resident memory (MB)</source>
        <translation>Mémoire résidente (Mo)</translation>
    </message>
    <message>
        <source>Pressure (%)</source>
        <translation>Pression (%)</translation>
    </message>
    <message>
        <source>Back to normal</source>
        <translation>Retour à la normale</translation>
    </message>
    <message>
        <source>Became warning</source>
        <translation>Passage au niveau d&apos;alerte</translation>
    </message>
    <message>
        <source>Became critical</source>
        <translation>Passage au niveau critique</translation>
    </message>
    <message>
        <source>Became emergency</source>
        <translation>Passage au niveau d&apos;urgence</translation>
    </message>
    <message>
        <source>Dots mark where the memory level changed, in the colour of the new level (green normal, amber warning, orange critical, red emergency); point at one for details.</source>
        <translation>Les points marquent les changements de niveau mémoire, dans la couleur du nouveau niveau (vert : normal, ambre : alerte, orange : critique, rouge : urgence) ; survolez-en un pour voir les détails.</translation>
    </message>
    <message>
        <source>Not connected to a service: no analysis is possible now.</source>
        <translation>Non connecté à un service : aucune analyse n&apos;est possible pour l&apos;instant.</translation>
    </message>
    <message>
        <source>Analysing…</source>
        <translation>Analyse en cours…</translation>
    </message>
    <message>
        <source>The analysis failed: %1</source>
        <translation>L&apos;analyse a échoué : %1</translation>
    </message>
    <message>
        <source>The link went down before the analysis came.</source>
        <translation>La liaison a été coupée avant l&apos;arrivée de l&apos;analyse.</translation>
    </message>
    <message>
        <source>%1 %</source>
        <translation>%1 %</translation>
    </message>
    <message>
        <source>%1 threshold (%2 %)</source>
        <translation>Seuil « %1 » (%2 %)</translation>
    </message>
    <message>
        <source>Analysis of %1: %2, %3.</source>
        <translation>Analyse de %1 : %2, %3.</translation>
    </message>
    <message numerus="yes">
        <source>%n orphaned entries</source>
        <translation>
            <numerusform>%n entrée orpheline</numerusform>
            <numerusform>%n entrées orphelines</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n growing series</source>
        <translation>
            <numerusform>%n série en croissance</numerusform>
            <numerusform>%n séries en croissance</numerusform>
        </translation>
    </message>
    <message>
        <source>Growing: %1.</source>
        <translation>En croissance : %1.</translation>
    </message>
    <message>
        <source>The Leaks page shows the full report.</source>
        <translation>La page Fuites affiche le rapport complet.</translation>
    </message>
    <message>
        <source>%1: memory level %2 → %3 at %4 %</source>
        <translation>%1 : niveau mémoire %2 → %3 à %4 %</translation>
    </message>
    <message>
        <source>%1: memory level changed at %2 %</source>
        <translation>%1 : changement de niveau mémoire à %2 %</translation>
    </message>
</context>
<context>
    <name>wsinfra::OverviewPage</name>
    <message>
        <source>None</source>
        <translation>Aucune</translation>
    </message>
    <message>
        <source>Caches shrunk</source>
        <translation>Caches réduits</translation>
    </message>
    <message>
        <source>Delivery throttled</source>
        <translation>Distribution ralentie</translation>
    </message>
    <message>
        <source>Connections shed</source>
        <translation>Connexions délestées</translation>
    </message>
    <message>
        <source>Step %1</source>
        <translation>Étape %1</translation>
    </message>
    <message>
        <source>Health</source>
        <translation>Santé</translation>
    </message>
    <message>
        <source>Errors</source>
        <translation>Erreurs</translation>
    </message>
    <message>
        <source>Warnings</source>
        <translation>Avertissements</translation>
    </message>
    <message>
        <source>Key figures</source>
        <translation>Chiffres clés</translation>
    </message>
    <message>
        <source>Active connections</source>
        <translation>Connexions actives</translation>
    </message>
    <message>
        <source>Unique users</source>
        <translation>Utilisateurs uniques</translation>
    </message>
    <message>
        <source>Peak connections</source>
        <translation>Pic de connexions</translation>
    </message>
    <message>
        <source>Connections since start</source>
        <translation>Connexions depuis le démarrage</translation>
    </message>
    <message>
        <source>Messages in</source>
        <translation>Messages entrants</translation>
    </message>
    <message>
        <source>Messages out</source>
        <translation>Messages sortants</translation>
    </message>
    <message>
        <source>Latency p50</source>
        <translation>Latence p50</translation>
    </message>
    <message>
        <source>Latency p99</source>
        <translation>Latence p99</translation>
    </message>
    <message>
        <source>Uptime</source>
        <translation>Durée de fonctionnement</translation>
    </message>
    <message>
        <source>Nodes</source>
        <translation>Nœuds</translation>
    </message>
    <message>
        <source>Memory</source>
        <translation>Mémoire</translation>
    </message>
    <message>
        <source>Degradation</source>
        <translation>Dégradation</translation>
    </message>
    <message>
        <source>Connections, last 5 minutes</source>
        <translation>Connexions, 5 dernières minutes</translation>
    </message>
    <message>
        <source>Messages per second, last 5 minutes</source>
        <translation>Messages par seconde, 5 dernières minutes</translation>
    </message>
    <message>
        <source>In</source>
        <translation>Entrants</translation>
    </message>
    <message>
        <source>Out</source>
        <translation>Sortants</translation>
    </message>
    <message>
        <source>%1 d %2 h</source>
        <translation>%1 j %2 h</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 h %2 min</translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation>%1 min %2 s</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>No data</source>
        <translation>Aucune donnée</translation>
    </message>
    <message>
        <source>Healthy</source>
        <translation>Sain</translation>
    </message>
    <message>
        <source>Degraded</source>
        <translation>Dégradé</translation>
    </message>
    <message>
        <source>Unhealthy</source>
        <translation>Défaillant</translation>
    </message>
    <message>
        <source>Unknown</source>
        <translation>Inconnu</translation>
    </message>
    <message>
        <source>Last health check: %1</source>
        <translation>Dernière vérification de santé : %1</translation>
    </message>
    <message>
        <source>No errors</source>
        <translation>Aucune erreur</translation>
    </message>
    <message>
        <source>No warnings</source>
        <translation>Aucun avertissement</translation>
    </message>
    <message>
        <source>%1 /s</source>
        <translation>%1 /s</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <source>Started %1</source>
        <translation>Démarré le %1</translation>
    </message>
    <message>
        <source>1 (single node)</source>
        <translation>1 (nœud unique)</translation>
    </message>
    <message>
        <source>Cluster: connected</source>
        <translation>Cluster : connecté</translation>
    </message>
    <message>
        <source>Cluster: unreachable</source>
        <translation>Cluster : injoignable</translation>
    </message>
    <message>
        <source>%1 (%2 %)</source>
        <translation>%1 (%2 %)</translation>
    </message>
    <message>
        <source>%1 resident of a %2 budget</source>
        <translation>%1 en mémoire résidente sur un budget de %2</translation>
    </message>
    <message>
        <source>Connections shed so far: %1</source>
        <translation>Connexions délestées jusqu&apos;ici : %1</translation>
    </message>
</context>
<context>
    <name>wsinfra::SubscriptionsModel</name>
    <message>
        <source>Bill</source>
        <translation>Projet de loi</translation>
    </message>
    <message>
        <source>Subscribers</source>
        <translation>Abonnés</translation>
    </message>
    <message>
        <source>Users</source>
        <translation>Utilisateurs</translation>
    </message>
</context>
<context>
    <name>wsinfra::SubscriptionsPage</name>
    <message>
        <source>Subscribers</source>
        <translation>Abonnés</translation>
    </message>
    <message>
        <source>Search a bill id, or a user</source>
        <translation>Rechercher un id de projet de loi ou un utilisateur</translation>
    </message>
    <message>
        <source>Double-click a user to see every bill it follows.</source>
        <translation>Double-cliquez sur un utilisateur pour voir tous les projets de loi qu&apos;il suit.</translation>
    </message>
    <message>
        <source>Most-followed bills</source>
        <translation>Projets de loi les plus suivis</translation>
    </message>
    <message>
        <source>Bill</source>
        <translation>Projet de loi</translation>
    </message>
    <message numerus="yes">
        <source>%n bills followed, %1 subscriptions in all</source>
        <translation>
            <numerusform>%n projet de loi suivi, total des abonnements : %1</numerusform>
            <numerusform>%n projets de loi suivis, total des abonnements : %1</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1 of %n bills match</source>
        <translation>
            <numerusform>Correspondances : %1 sur %n projet de loi</numerusform>
            <numerusform>Correspondances : %1 sur %n projets de loi</numerusform>
        </translation>
    </message>
    <message>
        <source>Followers (select a bill)</source>
        <translation>Abonnés (sélectionnez un projet de loi)</translation>
    </message>
    <message>
        <source>Followers of bill %1 (%2)</source>
        <translation>Abonnés du projet de loi %1 (%2)</translation>
    </message>
    <message>
        <source>Most-followed bills: no subscriptions yet</source>
        <translation>Projets de loi les plus suivis : aucun abonnement pour le moment</translation>
    </message>
</context>
<context>
    <name>wsinfra::displayBytes</name>
    <message>
        <source>%1 bytes</source>
        <translation>%1 octets</translation>
    </message>
</context>
</TS>
