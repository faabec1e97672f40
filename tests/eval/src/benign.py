from mk import msg, text
B = []  # benign: labels []

msg('benign-01-password-policy', 'IT Service Desk <servicedesk@contoso-eng.com>', 'All Staff <allstaff@contoso-eng.com>',
 'Reminder: new password policy takes effect April 1',
 '''Hello everyone,

As announced at the last all-hands, the updated password policy takes effect on April 1.

What changes:
  * Your password must be at least 12 characters long.
  * Passwords must contain characters from three of the four groups (upper, lower, digits, symbols).
  * Passwords expire every 180 days instead of 90. You will get a reminder 14 days before.
  * The last 10 passwords cannot be reused.

To change your password now, press Ctrl+Alt+Del on a domain PC and choose "Change a password",
or go to https://myaccount.contoso-eng.com/security.

Never share your password with anyone, including the Service Desk. We will never ask for it.

Thanks,
IT Service Desk  |  ext. 4357
''', [])

msg('benign-02-forgot-password-marketing', 'Brightline Rewards <no-reply@brightline-rewards.com>', 'dana.morrow@contoso-eng.com',
 'Your points are waiting!',
 '''Hi Dana,

You have 2,340 points waiting in your Brightline Rewards account. That's enough for a $20 gift card!

Sign in at https://www.brightline-rewards.com/signin to redeem.

Forgot your password? Click here: https://www.brightline-rewards.com/account/forgot-password
and we'll send you instructions.

Points expire 12 months after they are earned. See terms at https://www.brightline-rewards.com/terms

You are receiving this because you joined Brightline Rewards. Unsubscribe:
https://www.brightline-rewards.com/email/unsubscribe?u=48213&list=7
''', [])

msg('benign-03-official-prose', 'Riverside Chamber of Commerce <news@riversidechamber.org>', 'members@riversidechamber.org',
 'Chamber News: official ribbon cutting and spring mixer',
 '''RIVERSIDE CHAMBER NEWS - MARCH EDITION

The official ribbon cutting for the new Riverside Library branch will be held on Saturday, March 23
at 10:00 AM. The mayor will make an official statement, and the chamber is proud to be an
official partner of the event.

Spring Mixer: Join us April 4 from 5:30 to 7:30 PM at Harbor Grill. Tickets are $15 for members.

Member Spotlight: Oak Street Bakery has been named the official caterer of the Riverside Half
Marathon. Congratulations to owners Maria and Tom Alvarez!

Reminder: Officially, membership renewals were due March 1. If you have not renewed, please do so
online or call the office at (555) 201-4410.

Riverside Chamber of Commerce | 400 Main Street | Riverside
''', [])

msg('benign-04-invoice', 'Accounts Receivable <ar@northwind-supply.com>', 'ap@contoso-eng.com',
 'Invoice 482913067 from Northwind Supply',
 '''Dear Accounts Payable,

Please find below the details of invoice 482913067 for your purchase order PO-77120.

Invoice number:   482913067
Invoice date:     03/08/2024
Due date:         04/07/2024 (Net 30)
Customer number:  100482
Amount due:       $12,480.00

Line items:
  1  Cat6 patch cables, 25 pk       x 40     $2,880.00
  2  Rack shelf 2U                  x 12     $1,440.00
  3  UPS battery module              x 6     $8,160.00

Remit payment by check or through your supplier portal. Questions? Call 1-800-555-0188 ext 2.

Thank you for your business,
Northwind Supply Co.
''', [])

msg('benign-05-order-confirmation', 'Order Updates <orders@shopmart.example>', 'j.patel@contoso-eng.com',
 'Your order #1123456789012 has shipped',
 '''Hi Jay,

Good news! Your order #1123456789012 has shipped.

Carrier: UPS
Tracking number: 1Z999AA10123456784
Estimated delivery: Thursday, March 14

Items:
  - Ergonomic keyboard (1)
  - USB-C dock (1)

Order total: $214.97

View or manage your order: https://www.shopmart.example/orders/1123456789012

Thanks for shopping with us!
''', [])

msg('benign-06-zoom-invite', 'Priya Raman <priya.raman@contoso-eng.com>', 'eng-leads@contoso-eng.com',
 'Invitation: Q2 roadmap review',
 '''Priya Raman is inviting you to a scheduled Zoom meeting.

Topic: Q2 roadmap review
Time: Mar 19, 2024 02:00 PM Eastern Time (US and Canada)

Join Zoom Meeting
https://contoso.zoom.us/j/92644710385

Meeting ID: 926 4471 0385

One tap mobile
+13017158592,,92644710385# US (Washington DC)
+13126266799,,92644710385# US (Chicago)

Dial by your location
        +1 646 558 8656 US (New York)
        +1 301 715 8592 US (Washington DC)
''', [])

msg('benign-07-flight-chat', 'Mark Ellison <mark.ellison@contoso-eng.com>', 'Sara Kim <sara.kim@contoso-eng.com>',
 'Re: Denver visit',
 '''Sara,

I'm flying out to Denver on Tuesday and should land around 3pm, so I can make the 4:30 with the
customer. United was the only nonstop that worked. Coming back Thursday night.

Can you book the small conference room for Wednesday morning?

Mark

On Mon, Mar 11, 2024 at 4:02 PM Sara Kim <sara.kim@contoso-eng.com> wrote:
> Hi Mark, are you still planning to come out next week? The team would love to meet in person.
> Let me know your dates and I'll set things up.
''', [])

msg('benign-08-travel-policy', 'Corporate Travel <travel@contoso-eng.com>', 'All Staff <allstaff@contoso-eng.com>',
 'Updated travel and expense policy',
 '''Team,

A few reminders about the updated travel and expense policy:

1. Book all flights and hotels through Concur so that our duty-of-care tools know where you are.
2. Economy class for flights under 6 hours; premium economy allowed above that.
3. Hotel rates should stay under the per diem rate for the city. Check gsa.gov for current rates.
4. Submit expense reports within 30 days of returning. Attach itemized receipts for anything over $75.
5. Government travel card holders: remember to pay your statement in full each month.

The full policy is on the intranet under Finance > Travel.

Corporate Travel Team
''', [])

msg('benign-09-secret-santa', 'Office Fun Committee <fun@contoso-eng.com>', 'All Staff <allstaff@contoso-eng.com>',
 'Secret Santa sign-ups are open!',
 '''Ho ho ho!

Secret Santa sign-ups are open until December 6. The spending limit is $25. Keep your match a
secret - that's the whole point! The big reveal will be at the holiday party on December 19.

Top secret tip: the Fun Committee hears that Dave from accounting really likes hot sauce.

Sign up here: https://forms.contoso-eng.com/secret-santa

Confidentially yours,
The Fun Committee
''', [], date='Mon, 25 Nov 2024 11:00:00 -0500')

msg('benign-10-release-notes', 'Release Bot <releases@contoso-eng.com>', 'eng@contoso-eng.com',
 'Release 4.12.0 deployed to production',
 '''Release 4.12.0 has been deployed to production.

Commit: 9f2c4e1b7a3d5f60e8b91c2a4d7e6f30b5a1c9d8
Build:  build-20240312.7 (pipeline 88213)
Image:  registry.contoso-eng.com/api:4.12.0@sha256:5b1e0c7d3a9f2e48b6c0d1f7e3a2b9c8d4f6e0a1b3c5d7e9f1a2b4c6d8e0f2a4

Changes:
  - API: pagination for /v2/orders (request 7c9e6679-7425-40de-944b-e07fc1f90ae7)
  - Fix: timezone offset in exported reports
  - Chore: bump openssl to 3.0.13

Rollback plan: redeploy 4.11.3 via the deploy pipeline.
''', [])

msg('benign-11-support-ticket', 'Support <support@helpdesk-vendor.example>', 'r.gomez@contoso-eng.com',
 '[Ticket #48213] Printer on 3rd floor not working',
 '''Hello Rafael,

Your request has been received and assigned case number 00123456.

Summary: Printer on 3rd floor not working
Priority: Normal
Assigned to: Field Services

A technician will visit between 1:00 and 3:00 PM today. You can reply to this email to add
information to the ticket. Please do not change the subject line.

Reference: TKT-2024-0312-4821
''', [])

msg('benign-12-calendar-dialin', 'Office of the CFO <cfo-office@contoso-eng.com>', 'finance-team@contoso-eng.com',
 'Monthly close meeting - dial-in details',
 '''Monthly close meeting
Thursday, March 28, 2024, 10:00-11:00
Conference Room B (2nd floor) or dial in:

  Phone: +1 571-555-0199
  Access code: 443 2118#

Agenda:
  1. Accruals and reversals
  2. Intercompany reconciliation (account 1450-200)
  3. Forecast update for Q2

Please send slides to Ana by Wednesday noon.
''', [])

msg('benign-13-dts-reminder', 'Resource Management <rm-office@army.mil>', 'battalion-staff@army.mil',
 'Reminder: travel voucher deadlines',
 '''All,

Reminder that travel vouchers must be submitted in DTS within 5 business days of returning from
travel. Late vouchers delay reimbursement and can result in delinquency on your government travel
card. If you have questions about the Defense Travel System, contact the DTA at ext. 2241.

Also, please complete the annual travel card training in JKO before 30 April.

V/R,
Resource Management Office
''', [])

msg('benign-14-airline-promo', 'SkyWays Deals <deals@skyways-air.example>', 'traveler@gmail.example',
 'Spring sale: Paris from $499',
 '''SPRING SALE

Fly to Paris from $499 round trip! Book by March 20 for travel April through June.

Also on sale:
  Washington (IAD) to Frankfurt (FRA) from $579
  New York (JFK) to Rome (FCO) from $612
  Chicago (ORD) to London (LHR) from $548

Fares are per person, economy, and include taxes. Limited seats available.
Book now at skyways-air.example/deals

SkyWays Air. Bringing the world closer.
''', [])

msg('benign-15-bank-notice', 'First Harbor Bank <alerts@firstharbor-bank.example>', 'l.chen@gmail.example',
 'Your statement is ready',
 '''Dear Customer,

Your March statement for checking account ending in 4821 is now available in online banking.

For your security:
  - We will never ask for your PIN, password or one-time code by email or phone.
  - Never share your PIN with anyone.
  - If you receive a suspicious message, forward it to security@firstharbor-bank.example.

Member FDIC. Equal Housing Lender.
''', [])

msg('benign-16-project-thread', 'Hannah Lee <hannah.lee@contoso-eng.com>', 'Ben Ortiz <ben.ortiz@contoso-eng.com>',
 'RE: Phase 2 schedule',
 '''Ben,

Works for me. Let's move the design review to 04/02 and keep integration testing starting 04/15.
I'll update the schedule in the tracker (item 2291).

Hannah

-----Original Message-----
From: Ben Ortiz
Sent: Monday, March 11, 2024 5:42 PM
To: Hannah Lee
Subject: Phase 2 schedule

Hannah - the vendor slipped the hardware delivery to 03/29. Can we push the design review a week?
Everything else (integration 04/15, UAT 05/06, go-live 06/03) can stay as is.

Thanks,
Ben
''', [])

msg('benign-17-newsletter-security', 'CyberAware Weekly <newsletter@cyberaware.example>', 'subscribers@cyberaware.example',
 'CyberAware Weekly: passkeys, phishing and password managers',
 '''CYBERAWARE WEEKLY

1. Why passkeys are replacing passwords
   Passkeys use public-key cryptography, so there is no password to steal. Major providers now
   support them.

2. Spot the phish
   Attackers send fake "reset your password" emails. Always check the sender and hover over links
   before you click. Your bank will never send you a password reset you didn't ask for.

3. Password managers
   A password manager lets you use a long unique password for every site. Look for one that
   supports MFA and offers a secure password generator.

Unsubscribe: https://cyberaware.example/unsubscribe?token=8f3b2a91c7d64e05b1a9f3c2d8e7a6b5
''', [])

msg('benign-18-shipping', 'FastFreight Notifications <notify@fastfreight.example>', 'receiving@contoso-eng.com',
 'Shipment 7741 2290 8813 is out for delivery',
 '''Your shipment is out for delivery.

Tracking number: 7741 2290 8813
Reference: PO-77120 / INV 482913067
Pieces: 3   Weight: 48 lbs
Scheduled delivery: Today by 5:00 PM

Signature required. If no one is available, a door tag will be left with pickup instructions.
''', [])

msg('benign-19-cui-training', 'Security Office <security@contoso-defense.com>', 'All Staff <allstaff@contoso-defense.com>',
 'Annual CUI and insider threat training due 30 September',
 '''All,

Annual CUI awareness and insider threat training is due by 30 September. Both courses are in the
learning portal and take about 45 minutes each. Contractors supporting DoD programs must complete
them to keep system access.

The training covers how to recognize and handle Controlled Unclassified Information markings,
how to report a suspected spill, and who to call. Questions: security@contoso-defense.com.

Security Office
''', [])

msg('benign-20-article-contract', 'Legal Department <legal@contoso-eng.com>', 'procurement@contoso-eng.com',
 'Re: MSA redlines',
 '''Procurement team,

We reviewed the vendor's redlines. Comments:

- Article 3 (Term): acceptable as revised.
- Article 12 (Indemnification): we cannot accept the cap at 1x fees; counter at 2x.
- Article 15 (Governing law): keep Virginia.
- Exhibit B pricing: no legal comment.

We are also still waiting on their insurance certificate. Please send the final draft by Friday.

Regards,
Legal
''', [])

msg('benign-21-outage-investigation', 'NOC <noc@contoso-eng.com>', 'eng@contoso-eng.com',
 'Post-incident review: API latency on March 9',
 '''Summary: From 14:02 to 14:47 UTC on March 9, p99 API latency exceeded 4 seconds.

Our investigation found that a misconfigured connection pool on db-replica-3 exhausted
connections after a deploy. Root cause analysis and action items:

  1. Add a pool size check to the deploy pipeline (owner: platform team)
  2. Alert on replica connection saturation (owner: SRE)
  3. Document the manual failover steps (owner: NOC)

The full report is on the wiki. No customer data was affected.
''', [])

msg('benign-22-team-thanks', 'LTC Robert Hayes <robert.hayes@army.mil>', 'battalion-staff@army.mil',
 'Thanks for a great exercise',
 '''Team,

Great job on last week's exercise. Special thanks to SGT Miller and CPT Ortiz for the hard work on
the communications plan, and to the S4 shop for keeping everyone fed.

AAR is Thursday at 1300 in the conference room. Bring your sustains and improves.

V/R,
LTC Hayes
''', [])

msg('benign-23-wellness', 'Wellness Team <wellness@contoso-eng.com>', 'All Staff <allstaff@contoso-eng.com>',
 'Flu shot clinic and wellness fair',
 '''Hi all,

Our annual flu shot clinic is on Tuesday, October 8 from 9 AM to 3 PM in the cafeteria. Bring your
insurance card. Walk-ins welcome.

The wellness fair is the same day, with free blood pressure checks, healthy snacks and a chance to
meet our benefits providers.

Stay healthy!
Wellness Team
''', [], date='Tue, 01 Oct 2024 08:00:00 -0400')

msg('benign-24-open-enrollment', 'Benefits <benefits@contoso-eng.com>', 'All Staff <allstaff@contoso-eng.com>',
 'Open enrollment starts November 1',
 '''Open enrollment for 2025 benefits runs November 1 through November 15.

This year:
  - Medical premiums increase about 4%.
  - A new dental plan with orthodontic coverage is available.
  - The HSA employer contribution rises to $750.

Make your elections in the benefits portal. If you do nothing, your current elections roll over
(except FSA, which you must re-elect every year).

Benefits Team
''', [], date='Mon, 21 Oct 2024 08:00:00 -0400')

msg('benign-25-recruiting', 'Talent Acquisition <recruiting@contoso-eng.com>', 'hiring-managers@contoso-eng.com',
 'Interview schedule for next week',
 '''Hiring managers,

Here is next week's interview schedule for the Senior Data Engineer role (req 24-0311):

  Mon 3/18  10:00  Candidate A   Room 4B    (phone backup: 703-555-0143)
  Tue 3/19  14:00  Candidate B   Zoom
  Thu 3/21  09:30  Candidate C   Room 4B

Please submit feedback in the ATS within 24 hours. Reminder: do not ask candidates about age,
date of birth, marital status or medical history.

Thanks,
Talent Acquisition
''', [])

msg('benign-26-hotel-promo', 'Lakeside Hotels <offers@lakesidehotels.example>', 'traveler@gmail.example',
 'Spring getaway: 20% off your stay',
 '''Spring into savings!

Book a stay of two nights or more at any Lakeside Hotel and save 20%. Use promo code SPRING24 at
checkout. Offer valid for stays through May 31.

Members earn double points. Not a member? Join free at lakesidehotels.example/join.

Lakeside Hotels & Resorts
''', [])

msg('benign-27-budget', 'Finance <finance@contoso-eng.com>', 'dept-heads@contoso-eng.com',
 'FY25 budget submissions',
 '''Department heads,

FY25 budget submissions are due April 12. Use the template on the finance share. Key points:

  - Headcount: include open reqs by cost center (e.g. 4410-200, 4410-310).
  - Capital requests over $50,000 need a one-page justification.
  - Travel budgets should assume 3% inflation.

Last year's actuals: $1,234,567.89 against a plan of $1,300,000.00.

Finance
''', [])

msg('benign-28-mfa-enrollment', 'IT Security <itsec@contoso-eng.com>', 'All Staff <allstaff@contoso-eng.com>',
 'Action required: enroll in multi-factor authentication',
 '''Hello,

By April 30, all accounts must be enrolled in multi-factor authentication (MFA).

How to enroll:
  1. Go to https://mfa.contoso-eng.com and sign in with your network password.
  2. Install the authenticator app on your phone and scan the QR code shown.
  3. Enter the 6-digit code from the app to finish.

After enrollment you'll be asked for a one-time code when you sign in from a new device.
IT will never ask you for a code by phone or email.

IT Security
''', [])

msg('benign-29-quoted-official', 'Grace Thompson <grace.thompson@contoso-eng.com>', 'hr@contoso-eng.com',
 'Re: Official holiday schedule for 2025',
 '''Thanks! Is the day after Thanksgiving an official holiday this year or a floating day?

Grace

> From: HR
> Subject: Official holiday schedule for 2025
>
> The official holiday schedule for 2025 is posted on the intranet. Offices will be closed on
> New Year's Day, Memorial Day, Independence Day, Labor Day, Thanksgiving and Christmas Day.
> Please use the official calendar when planning leave.
''', [])

msg('benign-30-lunch-address', 'Jess Wu <jess.wu@contoso-eng.com>', 'design-team@contoso-eng.com',
 'Team lunch Friday',
 '''Hi team,

Team lunch this Friday at 12:30! We'll be at Pho Saigon, 2150 Wilson Blvd, Arlington VA 22201.
It's about a 10 minute walk from the office. RSVP by Wednesday so I can make a reservation for
the right number of people.

Jess
''', [])

msg('benign-31-conference-program', 'Conference Team <info@geosummit.example>', 'attendees@geosummit.example',
 'GeoSummit 2024: program and venue',
 '''Welcome to GeoSummit 2024!

Venue: Convention Center, Hall C. Registration opens at 8:00 AM on May 14.

Highlights:
  - Keynote: "Mapping the world at 10 cm resolution"
  - Workshop: Coordinate reference systems for beginners
  - Panel: Open data and public transit

Parking is available in Garage 2. Shuttle buses run from the airport every 30 minutes.
See you there!
''', [])

msg('benign-32-phone-list', 'Front Desk <frontdesk@contoso-eng.com>', 'All Staff <allstaff@contoso-eng.com>',
 'Updated emergency contact numbers',
 '''All,

Updated building contact numbers:

  Front desk         (703) 555-0100
  Facilities         (703) 555-0122
  Security desk      (703) 555-0177
  After hours        1-800-555-0199

In an emergency, always call 911 first. The building address for emergency services is
1200 Wilson Blvd, Arlington, VA.

Front Desk
''', [])

msg('benign-33-github-notify', 'GitHub <notifications@github.com>', 'contoso/api <api@noreply.github.com>',
 '[contoso/api] Fix token refresh race (PR #2291)',
 '''@bortiz approved this pull request.

LGTM. The refresh token is now rotated under the lock, which fixes the race we saw in staging.
Please squash before merging.

In src/auth/refresh.go:
> -    tok := cache.Get(key)
> +    tok, err := cache.GetLocked(key)

Reply to this email directly, view it on GitHub:
https://github.com/contoso/api/pull/2291#pullrequestreview-1928374650
You are receiving this because you authored the thread.
''', [])

msg('benign-34-account-number-vendor', 'Vendor Management <vendors@contoso-eng.com>', 'it-procurement@contoso-eng.com',
 'New vendor account created',
 '''Hi,

The new vendor record for Atlas Cable Co. is set up. Vendor number 300914. Payment terms Net 45.
Please use this vendor number on all purchase orders. Their customer service line is 888-555-0131.

Vendor Management
''', [])

msg('benign-35-weather-closing', 'Facilities <facilities@contoso-eng.com>', 'All Staff <allstaff@contoso-eng.com>',
 'Office closed Tuesday due to weather',
 '''Due to the winter storm warning, the office will be closed on Tuesday, January 16. Employees who
can telework should do so. Check your email Tuesday evening for Wednesday's status.

Facilities
''', [], date='Mon, 15 Jan 2024 16:00:00 -0500')

msg('benign-36-press-release', 'Communications <press@contoso-defense.com>', 'media-list@contoso-defense.com',
 'Press release: Contoso Defense awarded logistics contract',
 '''FOR IMMEDIATE RELEASE

Contoso Defense awarded $48M logistics support contract

ARLINGTON, Va. - Contoso Defense today announced it has been awarded a five-year, $48 million
contract to provide logistics support services. "We are proud to continue supporting our
customers' mission," said CEO Linda Park in an official statement.

Work will be performed in Virginia and Texas. The contract number is W91QUZ-24-C-0012.

Media contact: press@contoso-defense.com
''', [])

msg('benign-37-security-awareness', 'Security Office <security@contoso-defense.com>', 'All Staff <allstaff@contoso-defense.com>',
 'Security tip: mind the domain',
 '''Security tip of the week

Before you hit send, check the recipient domain. A single missing letter can send mail to the
wrong country - for example .ml instead of .mil. Never email documents marked as controlled to
a personal account, and never put a password or PIN in an email.

If you made a mistake, report it right away to the security office.
''', [])

msg('benign-38-hr-policy-pii', 'HR <hr@contoso-eng.com>', 'managers@contoso-eng.com',
 'Handling employee records',
 '''Managers,

A reminder on handling employee records: never email Social Security numbers, dates of birth,
medical information or bank details. If you need to share a record, use the HR case system.
Personnel files stay in the HR system of record.

Thanks,
HR
''', [])

msg('benign-39-newsletter-flight-ops', 'Aviation Weekly Digest <digest@aviationweekly.example>', 'subscribers@aviationweekly.example',
 'Aviation digest: new routes and on-time stats',
 '''AVIATION DIGEST

New routes: Lufthansa will add a daily Frankfurt-Austin service from May, and United resumes
Newark-Cape Town in November. Delta's A350-1000 enters service next year.

On-time performance for February: 78.4% across major US carriers, up 2.1 points.

Fleet notes: the 737 MAX 7 certification remains pending.
''', [], qp=True)

msg('benign-40-case-number-reply', 'Customer Care <care@insureco.example>', 'm.ruiz@gmail.example',
 'RE: Claim status',
 '''Hello Miguel,

Thanks for reaching out. Your claim 2024-117733 is being reviewed and we expect a decision within
10 business days. You can track status online under My Claims.

Kind regards,
Customer Care

-----Original Message-----
From: Miguel Ruiz
Hi, I filed a claim for the windshield two weeks ago and haven't heard back. Can you tell me the status?
''', [])
