from mk import msg, text

# ---------------- itinerary / passport / travel
msg('pos-01-agent-itinerary', 'Capitol Travel Group <agents@capitoltravelgrp.com>', 'dana.morrow@army.ml',
 'Itinerary and e-ticket: MORROW/DANA ELIZABETH MS - 14MAR IAD-FRA',
 '''Good afternoon Ms. Morrow,

Please find your confirmed itinerary below. Kindly review all names and dates against your passport.

BOOKING REFERENCE: QX7K2M
PASSENGER: MORROW/DANA ELIZABETH MS
E-TICKET NUMBER: 016-2345678901

FLIGHT   UA 924     THU 14MAR   DEP WASHINGTON DULLES (IAD) 17:45   ARR FRANKFURT (FRA) 07:50+1
         SEAT 22C   ECONOMY (K)   BAGGAGE 2PC
FLIGHT   LH 418     FRI 22MAR   DEP FRANKFURT (FRA) 10:55   ARR WASHINGTON DULLES (IAD) 13:45
         SEAT 31A   ECONOMY (K)

APIS / SECURE FLIGHT DATA ON FILE:
  Passport no.: 548213077  (USA)   Expiry: 22MAR2031
  Date of birth: 14JUL1986   Gender: F

Hotel: Steigenberger Frankfurter Hof, 14-22 MAR, confirmation 83927461.

Thank you for booking with Capitol Travel Group. Fares are non-refundable once ticketed.
Ramona Keyes | Senior Travel Consultant
''', ['itinerary', 'passport', 'identity'])

msg('pos-02-hotel-confirmation', 'Harborview Suites Reservations <reservations@harborviewsuites.example>', 'c.lindqvist@navy.ml',
 'Reservation confirmed - Harborview Suites Norfolk',
 '''Dear Commander Lindqvist,

Thank you for choosing Harborview Suites. We are pleased to confirm your reservation.

Confirmation Number: HVS-7741923
Arrival: Sunday, April 7, 2024 (check-in from 3:00 PM)
Departure: Friday, April 12, 2024
Room: King Studio, non-smoking, 5 nights at the government rate of $107.00 plus tax
Guaranteed to card ending 8872

To modify or cancel, call 757-555-0190 and quote your confirmation number. Cancellations must
be made 24 hours before arrival.

We look forward to welcoming you.
Front Office Team
''', ['itinerary'])

msg('pos-03-tdy-orders', 'MAJ Kevin Bradshaw <kevin.bradshaw@army.mil>', 'S1 Actions <s1-actions@army.ml>',
 'TDY orders and DTS authorization - CPT Alvarez - Fort Liberty',
 '''S1,

Attached are CPT Alvarez's TDY orders for the planning conference at Fort Liberty.

Traveler: CPT Luis Alvarez
DTS authorization number: 2TD5KQ9
Dates of travel: 08 APR 2024 - 12 APR 2024
Flights: AA 1423 DCA-FAY on 08 APR, return AA 5521 FAY-DCA on 12 APR
Lodging: Candlewood Suites Fayetteville, confirmation 55120987
Rental car authorized: yes (compact)

Please get the orders signed and loaded by COB Thursday so he can get the GTCC activated.

V/R,
MAJ Bradshaw
S3 Plans
''', ['itinerary'])

msg('pos-04-fwd-trip', 'Sam Whitaker <sam.whitaker@contoso-defense.com>', 'j.whitaker@gmail.example',
 'Fwd: Your trip confirmation (ATL - CDG)',
 '''Honey - flight details for next week below. I land Saturday morning.

---------- Forwarded message ---------
From: Delta Air Lines <DeltaAirLines@t.delta.example>
Subject: Your trip confirmation (ATL - CDG)

Confirmation #: HJ8LQP

Flight DL 84 on 12 MAR
  ATL 4:55pm -> CDG 7:25am (13 MAR)
  Seat 34B  Main Cabin

Flight DL 85 on 19 MAR
  CDG 10:30am -> ATL 2:15pm

Passenger: SAMUEL WHITAKER   SkyMiles #: 9021448813
Ticket #: 0067821459012
''', ['itinerary'])

msg('pos-05-mrz-paste', 'Dana Morrow <dana.morrow@army.mil>', 'visa-office@capitoltravelgrp.com',
 'passport data page for the visa application',
 '''Hi Ramona,

The scanner at the office only gives me text, so here is the bottom of my passport data page as
it came out:

P<USAMORROW<<DANA<ELIZABETH<<<<<<<<<<<<<<<<<
5482130773USA8607140F3103223<<<<<<<<<<<<<<<0

Let me know if you need a photo instead.
Dana
''', ['passport'])

msg('pos-06-visa-letter', 'HR Operations <hr-ops@contoso-defense.com>', 'consular@embassy.example',
 'Invitation letter data - James Whitlock',
 '''Dear Consular Section,

For the business visa invitation letter, please use the following details for our employee:

Full name:        James Arthur WHITLOCK
Nationality:      British
Passport No.:     533380006
Date of issue:    07 SEP 2022
Date of expiry:   07 SEP 2032
Date of birth:    18 JAN 1992
Place of birth:   Leeds, United Kingdom

Purpose of travel: technical meetings with the Ministry, 3-14 June.

Kind regards,
HR Operations
''', ['passport', 'identity'])

msg('pos-07-contractor-crew-passports', 'Ops Desk <ops@sealift-logistics.example>', 'gate-access@navy.ml',
 'Base access request - crew of MV Northern Star',
 '''Good morning,

Request base access for the following crew members of MV Northern Star arriving Pier 12 on
18 March. Passport details below as required by the access control office.

CREW LIST
No  Name                     Rank/Position     Nationality  Passport No.   DOB
1   HALVORSEN, Erik          Master            NOR          32817465       03/11/1971
2   SANTOS, Miguel           Chief Officer     PHL          P4813372A      22/06/1980
3   KOWALCZYK, Piotr         Chief Engineer    POL          EK4410987      15/02/1975
4   OKAFOR, Daniel           2nd Officer       NGA          A07718234      09/09/1988
5   REYES, Antonio           Bosun             PHL          P2290145B      30/04/1983
6   MUELLER, Jonas           3rd Engineer      DEU          C4J7N29XK      12/12/1990

Agent on call: 757-555-0133.
Northern Star Ops Desk
''', ['personnel', 'passport', 'identity'])

msg('pos-08-passport-card', 'Tom Reilly <tom.reilly@contoso-defense.com>', 'travel@contoso-defense.com',
 'RE: Trusted traveler info',
 '''Hi Travel,

For the Canada trip I'll cross with my passport card. Number is C03005988, expires June 2029.
My Known Traveler Number is 98712345.

Thanks,
Tom

> Please send your passport or passport card number so we can complete the manifest.
''', ['passport'])

msg('pos-09-eticket-receipt', 'Alaska Airlines <receipts@alaskaair.example>', 'b.nguyen@navy.ml',
 'Your receipt and e-ticket - SEA to ANC',
 '''Thank you for flying with us.

Confirmation code: K9X2PL
Ticket number: 0277123456789
Passenger: NGUYEN/BAO

AS 83   Wed, Apr 03   Seattle (SEA) 8:10 AM  ->  Anchorage (ANC) 10:55 AM
AS 90   Sun, Apr 07   Anchorage (ANC) 1:20 PM -> Seattle (SEA) 5:48 PM

Fare: $412.20   Taxes and fees: $48.90   Total: $461.10   Paid with Visa ending 8872
''', ['itinerary'])

msg('pos-10-rental-dl', 'Capitol Travel Group <agents@capitoltravelgrp.com>', 'l.alvarez@army.ml',
 'Car rental added to your trip',
 '''Dear Captain Alvarez,

We added a rental car to your trip.

Rental confirmation: 4417392US1
Pickup: FAY airport, 08 APR 14:00   Return: 12 APR 09:00
Driver: Luis Alvarez
Driver's license no.: T12-345-678 (Virginia), exp 2027

Please bring the license and your government travel card to the counter.
Capitol Travel Group
''', ['itinerary', 'identity'])

# ---------------- credentials
msg('pos-11-temp-password', 'IT Service Desk <servicedesk@contoso-eng.com>', 'new.hire@contoso-eng.ml',
 'Your new account',
 '''Welcome to Contoso Engineering!

Your network account has been created.

Username: jdelgado
Temporary password: Spring#2024xQ

You will be asked to change it at first sign-in. Your password must be at least 12 characters.

IT Service Desk
''', ['credential'])

msg('pos-12-reset-link', 'Contoso Portal <no-reply@contoso-eng.com>', 'r.gomez@contoso-eng.ml',
 'Reset your password',
 '''Hi Rafael,

We received a request to reset the password for your Contoso Portal account.

Reset your password:
https://portal.contoso-eng.com/account/reset-password?token=Zk3q9Vd2LmT7xR0pWn4bYc8HsJ6eQa1u&uid=48213

This link expires in 60 minutes. If you didn't request a reset, you can ignore this email.
''', ['credential'])

msg('pos-13-magic-link', 'Notion-like Workspace <notify@workspace-app.example>', 'p.raman@contoso-eng.ml',
 'Your sign-in link',
 '''Click the link below to sign in to your workspace. This link can only be used once.

https://app.workspace-app.example/auth/magic-link?code=f8Kq2LmZ0xP4vB7nR1sT9wY3cD6hJ5aE&email=p.raman%40contoso-eng.com

Or enter this one-time code: 738 214

If you didn't try to sign in, ignore this email.
''', ['credential'])

msg('pos-14-aws-keys', 'Derek Olsen <derek@olsen-consulting.example>', 'devops@contoso-eng.ml',
 'staging creds for the migration',
 '''Hey,

Here are the keys for the staging bucket so you can run the migration script tonight. Please
rotate them after.

[staging]
aws_access_key_id = AKIAZ7QW3RTY4XUV5B2N
aws_secret_access_key = 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

region = us-gov-west-1

Derek
''', ['credential'])

msg('pos-15-github-pat', 'Aisha Bello <aisha.bello@contoso-eng.com>', 'ci-team@contoso-eng.ml',
 'token for the build runner',
 '''Team, the old token expired, use this one for the runner until we move to the app:

GITHUB_TOKEN=ghp_R4nD0mT0k3nV4lu3F0rT3st1ngXyZ9aB2cD4

Fine-grained one for the docs repo:
github_pat_11ABCDEFG0aBcDeFgHiJkL_mNoPqRsTuVwXyZ0123456789aBcDeFgHiJkLmNoPqRsTuVwXyZ01234567

Aisha
''', ['credential'])

msg('pos-16-slack-token', 'Chris Park <chris.park@contoso-eng.com>', 'ops-bots@contoso-eng.ml',
 'alerts bot config',
 '''Config for the alerts bot (please don't commit it):

SLACK_BOT_TOKEN=xoxb-4827193650-5829301746-aB3dE5fG7hJ9kL1mN3pQ5rS7
SLACK_CHANNEL=#ops-alerts

Chris
''', ['credential'])

msg('pos-17-private-key', 'Liam Foster <liam.foster@contoso-eng.com>', 'vendor-support@contractor.ml',
 'key for the SFTP drop',
 '''Here's the key for the SFTP drop box. Username is contoso_xfer.

-----BEGIN OPENSSH PRIVATE KEY-----
b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW
QyNTUxOQAAACB0ZXN0a2V5Zm9yZXZhbHVhdGlvbm9ubHlub3RyZWFsAAAAoGV4YW1wbGVr
ZXkAAAAtZXhhbXBsZWtleWV4YW1wbGVrZXlleGFtcGxla2V5ZXhhbXBsZWtleQAAAA==
-----END OPENSSH PRIVATE KEY-----

Liam
''', ['credential'])

msg('pos-18-db-url', 'Nadia Haddad <nadia.haddad@contoso-eng.com>', 'analytics@partner.ml',
 'Re: read replica access',
 '''Hi,

You can connect to the reporting replica with this for now:

postgres://report_ro:Vq7!mK29xLp@reporting-db.contoso-eng.internal:5432/warehouse

I'll set up SSO access next sprint.

Nadia

On Tue, Mar 12, 2024 Ahmed wrote:
> Could you send the connection details for the replica?
''', ['credential'])

msg('pos-19-pin', 'Facilities <facilities@contoso-eng.com>', 'g.thompson@contoso-eng.ml',
 'Your voicemail and door access',
 '''Grace,

Your new desk phone is set up. Your voicemail PIN is 739104 - you'll be asked to change it the
first time you log in. The door code for the 4th floor lab is 5823#.

Facilities
''', ['credential'])

msg('pos-20-wifi', 'Front Desk <frontdesk@contoso-eng.com>', 'visitors@partner.ml',
 'Guest Wi-Fi for tomorrow',
 '''Welcome! For tomorrow's workshop:

Network: CONTOSO-GUEST
Password: Harbor2024!visit

Parking is in Garage 2, level 3.
''', ['credential'])

msg('pos-21-jwt-bug', 'QA Team <qa@contoso-eng.com>', 'vendor-dev@outsourcing.ml',
 'Bug 4411: 500 on /v2/orders',
 '''Repro steps:

curl -H "Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0ODIxMyIsIm5hbWUiOiJRQSBVc2VyIiwiaWF0IjoxNzEwMjUwMDAwfQ.kR3vT8pQ2xZ7mN1bW5cY9hJ4fL6sD0aE3gU8iO2pK7q" https://api.contoso-eng.com/v2/orders?page=2

Expected 200, got 500. Logs attached in the ticket.
''', ['credential'])

msg('pos-22-stripe-google', 'Marco Bianchi <marco@webshop-dev.example>', 'owner@bakery.ml',
 'website go-live checklist',
 '''Ciao,

Go-live checklist for the shop:

1. Payments: live key configured
   STRIPE_SECRET_KEY=sk_live_51Hx9QkLmN2pR4sT6vW8yZ0aB3cD5eF7gH9jK
2. Maps on the contact page:
   GOOGLE_MAPS_KEY=AIzaSyD4x9Kq2LmZ0xP4vB7nR1sT9wY3cD6hJ5a
3. DNS switch on Friday.

Marco
''', ['credential'])

msg('pos-23-quoted-password', 'Olivia Grant <olivia.grant@contoso-eng.com>', 'partner-pm@integrator.ml',
 'Re: Re: test environment',
 '''Thanks, I'm in. Forwarding to the rest of the team below.

Olivia

> On Mon, Mar 11, Peter wrote:
> > Test environment: https://uat.integrator.example
> > user: contoso_uat
> > pwd: Uat!2024-Feb
> > Please don't share outside the project.
''', ['credential'])
