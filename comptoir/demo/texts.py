"""Hand-written word lists for demo data: real cities, B2B job titles, CRM phrasing.

Faker supplies people's names, streets and company names (see `pools`); what Faker does
not do well for a sales CRM (real cities with postcodes, sales-flavoured notes) is here.
Index 0 of every per-language pair is French, index 1 English.
"""

FR, EN = 0, 1
COUNTRIES = ("France", "United States")

# (city, postcode, region, weight, phone prefix: French area digit or US area code)
CITIES_FR = (
    ("Paris", "75008", "Île-de-France", 14, "1"),
    ("Boulogne-Billancourt", "92100", "Île-de-France", 3, "1"),
    ("Levallois-Perret", "92300", "Île-de-France", 2, "1"),
    ("Courbevoie", "92400", "Île-de-France", 2, "1"),
    ("Nanterre", "92000", "Île-de-France", 1, "1"),
    ("Saint-Denis", "93200", "Île-de-France", 1, "1"),
    ("Versailles", "78000", "Île-de-France", 1, "1"),
    ("Lyon", "69002", "Auvergne-Rhône-Alpes", 6, "4"),
    ("Villeurbanne", "69100", "Auvergne-Rhône-Alpes", 1, "4"),
    ("Grenoble", "38000", "Auvergne-Rhône-Alpes", 2, "4"),
    ("Annecy", "74000", "Auvergne-Rhône-Alpes", 1, "4"),
    ("Clermont-Ferrand", "63000", "Auvergne-Rhône-Alpes", 1, "4"),
    ("Marseille", "13002", "Provence-Alpes-Côte d'Azur", 4, "4"),
    ("Aix-en-Provence", "13100", "Provence-Alpes-Côte d'Azur", 2, "4"),
    ("Nice", "06000", "Provence-Alpes-Côte d'Azur", 2, "4"),
    ("Valbonne", "06560", "Provence-Alpes-Côte d'Azur", 1, "4"),
    ("Montpellier", "34000", "Occitanie", 2, "4"),
    ("Toulouse", "31000", "Occitanie", 4, "5"),
    ("Nîmes", "30000", "Occitanie", 1, "4"),
    ("Bordeaux", "33000", "Nouvelle-Aquitaine", 3, "5"),
    ("La Rochelle", "17000", "Nouvelle-Aquitaine", 1, "5"),
    ("Limoges", "87000", "Nouvelle-Aquitaine", 1, "5"),
    ("Poitiers", "86000", "Nouvelle-Aquitaine", 1, "5"),
    ("Pau", "64000", "Nouvelle-Aquitaine", 1, "5"),
    ("Nantes", "44000", "Pays de la Loire", 3, "2"),
    ("Angers", "49000", "Pays de la Loire", 1, "2"),
    ("Le Mans", "72000", "Pays de la Loire", 1, "2"),
    ("Rennes", "35000", "Bretagne", 2, "2"),
    ("Brest", "29200", "Bretagne", 1, "2"),
    ("Lille", "59000", "Hauts-de-France", 3, "3"),
    ("Amiens", "80000", "Hauts-de-France", 1, "3"),
    ("Strasbourg", "67000", "Grand Est", 2, "3"),
    ("Reims", "51100", "Grand Est", 1, "3"),
    ("Metz", "57000", "Grand Est", 1, "3"),
    ("Nancy", "54000", "Grand Est", 1, "3"),
    ("Dijon", "21000", "Bourgogne-Franche-Comté", 1, "3"),
    ("Tours", "37000", "Centre-Val de Loire", 1, "2"),
    ("Orléans", "45000", "Centre-Val de Loire", 1, "2"),
    ("Rouen", "76000", "Normandie", 1, "2"),
    ("Caen", "14000", "Normandie", 1, "2"),
)
CITIES_EN = (
    ("New York", "10001", "NY", 8, "212"),
    ("San Francisco", "94105", "CA", 5, "415"),
    ("Los Angeles", "90012", "CA", 4, "213"),
    ("San Jose", "95113", "CA", 2, "408"),
    ("San Diego", "92101", "CA", 1, "619"),
    ("Chicago", "60601", "IL", 4, "312"),
    ("Boston", "02110", "MA", 3, "617"),
    ("Seattle", "98101", "WA", 3, "206"),
    ("Austin", "78701", "TX", 3, "512"),
    ("Dallas", "75201", "TX", 2, "214"),
    ("Houston", "77002", "TX", 2, "713"),
    ("Denver", "80202", "CO", 2, "303"),
    ("Atlanta", "30303", "GA", 2, "404"),
    ("Miami", "33131", "FL", 2, "305"),
    ("Philadelphia", "19103", "PA", 1, "215"),
    ("Pittsburgh", "15222", "PA", 1, "412"),
    ("Portland", "97204", "OR", 1, "503"),
    ("Minneapolis", "55402", "MN", 1, "612"),
    ("Nashville", "37203", "TN", 1, "615"),
    ("Raleigh", "27601", "NC", 1, "919"),
    ("Salt Lake City", "84111", "UT", 1, "801"),
    ("Phoenix", "85004", "AZ", 1, "602"),
    ("Columbus", "43215", "OH", 1, "614"),
    ("Detroit", "48226", "MI", 1, "313"),
    ("Washington", "20001", "DC", 2, "202"),
)

# French titles come as (masculine, feminine); English ones are neutral.
JOB_TITLES_FR = (
    ("Directeur commercial", "Directrice commerciale"),
    ("Directeur général", "Directrice générale"),
    ("Directeur administratif et financier", "Directrice administrative et financière"),
    ("Directeur des systèmes d'information", "Directrice des systèmes d'information"),
    ("Directeur marketing", "Directrice marketing"),
    ("Directeur des ressources humaines", "Directrice des ressources humaines"),
    ("Directeur technique", "Directrice technique"),
    ("Président", "Présidente"),
    ("Gérant", "Gérante"),
    ("Chef de projet", "Cheffe de projet"),
    ("Ingénieur commercial", "Ingénieure commerciale"),
    ("Acheteur", "Acheteuse"),
    ("Contrôleur de gestion", "Contrôleuse de gestion"),
    ("Consultant", "Consultante"),
    ("Assistant de direction", "Assistante de direction"),
    ("Chargé de communication", "Chargée de communication"),
    ("Chargé d'affaires", "Chargée d'affaires"),
    ("Responsable achats", "Responsable achats"),
    ("Responsable marketing digital", "Responsable marketing digital"),
    ("Responsable grands comptes", "Responsable grands comptes"),
    ("Responsable informatique", "Responsable informatique"),
    ("Responsable logistique", "Responsable logistique"),
    ("Responsable des opérations", "Responsable des opérations"),
    ("Responsable RH", "Responsable RH"),
    ("Office manager", "Office manager"),
    ("Business developer", "Business developer"),
    ("Comptable", "Comptable"),
    ("Juriste", "Juriste"),
    ("CTO", "CTO"),
)
JOB_TITLES_EN = (
    "CEO",
    "CFO",
    "CTO",
    "COO",
    "Founder",
    "Managing Director",
    "VP of Sales",
    "VP Marketing",
    "Sales Director",
    "Head of Procurement",
    "Account Executive",
    "Marketing Manager",
    "Operations Manager",
    "IT Manager",
    "Office Manager",
    "Product Manager",
    "Project Manager",
    "Purchasing Manager",
    "HR Director",
    "Controller",
    "Business Development Manager",
    "Customer Success Manager",
    "Software Engineer",
    "Data Analyst",
    "General Counsel",
)

# (French word, English word, HubSpot industry) used in company names
SECTORS = (
    ("Conseil", "Consulting", "MANAGEMENT_CONSULTING"),
    ("Solutions", "Solutions", "INFORMATION_TECHNOLOGY_AND_SERVICES"),
    ("Logiciels", "Software", "COMPUTER_SOFTWARE"),
    ("Informatique", "Systems", "INFORMATION_TECHNOLOGY_AND_SERVICES"),
    ("Digital", "Digital", "INTERNET"),
    ("Logistique", "Logistics", "LOGISTICS_AND_SUPPLY_CHAIN"),
    ("Transports", "Freight", "TRANSPORTATION_TRUCKING_RAILROAD"),
    ("Bâtiment", "Construction", "CONSTRUCTION"),
    ("Immobilier", "Realty", "REAL_ESTATE"),
    ("Ingénierie", "Engineering", "MECHANICAL_OR_INDUSTRIAL_ENGINEERING"),
    ("Industries", "Industries", "INDUSTRIAL_AUTOMATION"),
    ("Énergie", "Energy", "RENEWABLES_ENVIRONMENT"),
    ("Santé", "Health", "HOSPITAL_HEALTH_CARE"),
    ("Distribution", "Distribution", "WHOLESALE"),
    ("Assurances", "Insurance", "INSURANCE"),
    ("Finance", "Capital", "FINANCIAL_SERVICES"),
    ("Communication", "Media", "MARKETING_AND_ADVERTISING"),
    ("Formation", "Learning", "PROFESSIONAL_TRAINING_COACHING"),
    ("Alimentaire", "Foods", "FOOD_BEVERAGES"),
    ("Vins", "Wines", "WINE_AND_SPIRITS"),
    ("Recrutement", "Staffing", "STAFFING_AND_RECRUITING"),
    ("Télécom", "Telecom", "TELECOMMUNICATIONS"),
    ("Sécurité", "Security", "COMPUTER_NETWORK_SECURITY"),
    ("Études", "Research", "MARKET_RESEARCH"),
)
LEGAL_FR = ("SAS", "SARL", "SA", "")
TLDS = (("fr", "fr", "fr", "com", "eu", "io"), ("com", "com", "com", "io", "co", "net"))
COMPANY_TYPES = (("PROSPECT", 60), ("PARTNER", 8), ("RESELLER", 6), ("VENDOR", 6), ("OTHER", 4))

PRODUCTS = (
    (
        "Abonnement annuel",
        "Projet d'intégration",
        "Renouvellement du contrat",
        "Extension de licences",
        "Accompagnement au déploiement",
        "Formation des équipes",
        "Audit sécurité",
        "Contrat de maintenance",
        "Pack démarrage",
        "Migration des données",
    ),
    (
        "Annual subscription",
        "Implementation project",
        "Contract renewal",
        "License expansion",
        "Onboarding package",
        "Team training",
        "Security audit",
        "Support plan",
        "Starter pack",
        "Data migration",
    ),
)

WEEKDAYS = (
    ("lundi", "mardi", "mercredi", "jeudi", "vendredi"),
    ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"),
)

# Placeholders: {first}, {last}, {company}, {product}, {day}, {n}
NOTES = (
    (
        "Échange avec {first} : intéressé·e par {product}. Budget à confirmer avant la fin du "
        "trimestre.",
        "{first} souhaite une démo pour son équipe. Proposer un créneau {day}.",
        "Point budget : validation attendue côté direction financière. Relancer {day}.",
        "Solution concurrente en place jusqu'à la fin de l'année, revenir vers {first} en "
        "septembre.",
        "Retour positif sur la proposition. Points ouverts : conditions de paiement et SLA.",
        "Besoin principal : centraliser les contacts et le suivi des ventes, équipe de {n} "
        "commerciaux.",
        "Rencontré·e sur notre stand au salon, à recontacter pour {product}.",
        "Devis envoyé, {first} le présente en comité de direction {day}.",
        "{company} a signé le bon de commande, transmettre au service onboarding.",
        "Pas de projet à court terme. Garder le contact, newsletter uniquement.",
    ),
    (
        "Spoke with {first}: interested in {product}. Budget to be confirmed before quarter end.",
        "{first} wants a demo for the team. Offer a slot on {day}.",
        "Budget check: waiting for sign-off from finance. Follow up on {day}.",
        "Competitor in place until year end, get back to {first} in September.",
        "Positive feedback on the proposal. Open points: payment terms and SLA.",
        "Main need: one place for contacts and sales follow-up, team of {n} reps.",
        "Met at our booth at the trade show, follow up about {product}.",
        "Quote sent, {first} presents it to the leadership team on {day}.",
        "{company} signed the order form, hand over to onboarding.",
        "No project short term. Keep in touch, newsletter only.",
    ),
)
NEXT_STEPS = (
    (
        "Prochaine étape : envoyer la proposition.",
        "Prochaine étape : démo avec l'équipe.",
        "Prochaine étape : rappeler {day}.",
        "Prochaine étape : attendre le retour des achats.",
    ),
    (
        "Next step: send the proposal.",
        "Next step: demo with the team.",
        "Next step: call back on {day}.",
        "Next step: wait for procurement's answer.",
    ),
)

# (subject template, HubSpot task type)
TASKS = (
    (
        ("Rappeler {first} {last}", "CALL"),
        ("Relancer {first} {last} par e-mail", "EMAIL"),
        ("Envoyer le devis à {company}", "EMAIL"),
        ("Préparer la démo pour {company}", "TODO"),
        ("Planifier un rendez-vous avec {first} {last}", "TODO"),
        ("Mettre à jour le contrat de {company}", "TODO"),
        ("Vérifier la signature du contrat", "TODO"),
        ("Se connecter avec {first} {last} sur LinkedIn", "LINKED_IN"),
    ),
    (
        ("Call {first} {last}", "CALL"),
        ("Follow up with {first} {last} by email", "EMAIL"),
        ("Send the quote to {company}", "EMAIL"),
        ("Prepare the demo for {company}", "TODO"),
        ("Book a meeting with {first} {last}", "TODO"),
        ("Update the {company} contract", "TODO"),
        ("Check the contract signature", "TODO"),
        ("Connect with {first} {last} on LinkedIn", "LINKED_IN"),
    ),
)
CALL_TITLES = (
    ("Appel avec {first} {last}", "Appel de découverte - {company}", "Relance téléphonique"),
    ("Call with {first} {last}", "Discovery call - {company}", "Follow-up call"),
)
# (title template, HubSpot activity type)
MEETINGS = (
    (
        ("Rendez-vous découverte avec {first} {last}", "Discovery"),
        ("Démo produit - {company}", "Demo"),
        ("Négociation du contrat - {company}", "Negotiation"),
        ("Point d'avancement - {company}", "Follow-up"),
        ("Déjeuner avec {first}", "Follow-up"),
    ),
    (
        ("Discovery meeting with {first} {last}", "Discovery"),
        ("Product demo - {company}", "Demo"),
        ("Contract negotiation - {company}", "Negotiation"),
        ("Status review - {company}", "Follow-up"),
        ("Lunch with {first}", "Follow-up"),
    ),
)
MEETING_PLACES = (
    ("Visioconférence (Google Meet)", "Microsoft Teams", "Dans leurs locaux", "Nos bureaux"),
    ("Zoom", "Microsoft Teams", "At their office", "Our office"),
)
EMAIL_SUBJECTS = (
    (
        "Suite à notre échange",
        "Votre devis {company}",
        "Proposition commerciale",
        "Documentation demandée",
        "Confirmation de notre rendez-vous",
        "Re: question sur la facturation",
    ),
    (
        "Following up on our call",
        "Your {company} quote",
        "Our proposal",
        "The documentation you asked for",
        "Confirming our meeting",
        "Re: billing question",
    ),
)
EMAIL_BODIES = (
    (
        "Bonjour {first},\n\nMerci pour votre temps aujourd'hui. Vous trouverez ci-joint les "
        "éléments évoqués.\n\nBien cordialement",
        "Bonjour {first},\n\nJe reviens vers vous au sujet de {product}. Avez-vous pu en "
        "discuter en interne ?\n\nBonne journée",
    ),
    (
        "Hi {first},\n\nThanks for your time today. Please find attached what we discussed."
        "\n\nBest regards",
        "Hi {first},\n\nCircling back on {product}. Did you get a chance to discuss it with "
        "your team?\n\nThanks",
    ),
)
