from mk import msg, text

# ---------------- personnel
msg('pos-41-alpha-roster', '1SG Marcus Dill <marcus.dill@army.mil>', 'bn-s1@army.ml',
 'Alpha roster update - B Co',
 '''S1,

Updated alpha roster for B Co after this week's gains and losses:

SFC Robert Vance     1378829104   Plt Sgt 1st Plt
SSG Tanya Brooks     1482937465   Sqd Ldr
SGT Luis Ortega      1560392817   Team Ldr
SGT Amanda Pike      1603948271   Team Ldr
CPL Jason Meeks      1719283746   Team Ldr
SPC Devon Hale       1820394756   Rifleman
SPC Kira Yates       1829304751   SAW Gunner
PFC Owen Strand      1903847562   Rifleman

Losses: SPC Ward (PCS), PV2 Cole (chapter).

1SG Dill
''', ['personnel', 'identity'])

msg('pos-42-csv-roster', 'Admin NCO <admin-nco@army.mil>', 'range-control@army.ml',
 'range roster for Saturday',
 '''Range roster for Saturday qualification (paste from the spreadsheet):

rank,last,first,dod id,weapon serial
SGT,Ortega,Luis,1560392817,W184412
SGT,Pike,Amanda,1603948271,W184419
SPC,Hale,Devon,1820394756,W184430
SPC,Yates,Kira,1829304751,W184433
PFC,Strand,Owen,1903847562,W184441

Admin NCO
''', ['personnel', 'identity'])

msg('pos-43-navy-roster', 'LCDR Sara Voss <sara.voss@navy.mil>', 'ship-xo@navy.ml',
 'Watch bill and duty section 3 personnel list',
 '''XO,

Duty section 3 personnel list for the in-port period:

CPO Gerald Ruiz - Duty CPO
PO1 Jordan Lane - OOD (in-port)
PO1 Mia Castellanos - Engineering duty petty officer
PO2 Ray Foster - Messenger
PO3 Hana Suzuki - Sounding and security
SN Tyler Brandt - Roving patrol
LCpl Aaron Pratt - MARDET sentry

Section leader is CPO Ruiz. Relieve at 0730.
LCDR Voss
''', ['personnel'])

msg('pos-44-crew-list-aircrew', 'Flight Ops <flightops@charter-air.example>', 'handling@fbo-agent.ml',
 'Crew list for N812CA, 22 MAR',
 '''Crew list for tomorrow's positioning flight, N812CA, KIAD - EGLL departing 2200Z:

PIC       Capt. Helen Marsh       CAPT   license ATP 3382910
SIC       F/O Daniel Cruz         FO     license ATP 4410921
Cabin     Lisa Ng                 FA
Cabin     Omar Haddad             FA

Passports and crew licenses will be presented at the FBO.
Flight Ops
''', ['personnel', 'itinerary'])

msg('pos-45-manifest', 'SSG Paul Redd <paul.redd@army.mil>', 'aerial-port@af.ml',
 'Pax manifest for Thursday rotator',
 '''Aerial port,

Passenger manifest for the Thursday rotator (chalk 2):

MAJ Kevin Bradshaw     1302948576
CPT Luis Alvarez       1409385721
SFC Robert Vance       1378829104
SSG Tanya Brooks       1482937465
SGT Amanda Pike        1603948271
SPC Devon Hale         1820394756

All personnel have orders and will report for show time at 0400.
SSG Redd
''', ['personnel', 'identity'])

# ---------------- legal
msg('pos-46-charge-sheet', 'Trial Counsel <tc-office@army.mil>', 'defense-counsel@army.ml',
 'Preferred charges - US v. SPC Kyle Brandt',
 '''Counsel,

Charges were preferred today against SPC Kyle Brandt. The DD Form 458 (charge sheet) is below.

Charge I: Violation of the UCMJ, Article 128 (assault consummated by a battery)
Charge II: Violation of the UCMJ, Article 134 (drunk and disorderly)

The Article 32 preliminary hearing is tentatively set for 15 April. Discovery to follow.

Trial Counsel, OSJA
''', ['legal'])

msg('pos-47-ar156', 'MAJ Lena Ford <lena.ford@army.mil>', 'bde-xo@army.ml',
 'AR 15-6 investigation findings - motor pool accident',
 '''Sir,

The AR 15-6 investigation into the 02 FEB motor pool accident is complete. Findings in brief:

1. The LMTV was moved without a ground guide, contrary to the unit SOP.
2. SGT Pryor (driver) had not completed licensing on the vehicle.
3. SSG Nolan (motor sergeant) failed to enforce dispatch procedures.

Recommendations: GOMOR for SSG Nolan; retraining for the platoon. The legal review is pending.

MAJ Ford, Investigating Officer
''', ['legal'])

msg('pos-48-ig-hazing', 'Anonymous <concerned.soldier@protonmail.example>', 'ig-hotline@army.ml',
 'IG complaint - hazing in 3rd platoon',
 '''I want to file an IG complaint about hazing in 3rd platoon, C Co.

New soldiers are being made to do "smoke sessions" at 2300 after duty, and two privates were
forced to drink until they got sick during a "welcome" event on 01 MAR. The squad leaders know
and do nothing. I am afraid of reprisal so I am not giving my name.

Please have the Inspector General look into this.
''', ['legal'])

msg('pos-49-ncis-roi', 'NCIS Norfolk Field Office <ncis-norfolk@ncis.navy.mil>', 'cmd-legal@navy.ml',
 'NCIS ROI 24-0311-NFNV-7 - interim',
 '''UNCLASSIFIED//LAW ENFORCEMENT SENSITIVE

Subj: NCIS Report of Investigation (interim), Case 24-0311-NFNV-7

1. NCIS initiated an investigation on 4 March into the alleged larceny of government property
(night vision devices) from the armory of USS Carver.
2. Subject: PO2 Ray Foster. Interviews of four witnesses are complete.
3. This report is provided to the command for information. Do not release to the subject.

UNCLASSIFIED//LAW ENFORCEMENT SENSITIVE
''', ['legal', 'marking'])

msg('pos-50-cid-article32', 'CID Special Agent <sa.pierce@army.mil>', 'tc-office@army.ml',
 'CID investigation update and Article 32 witness list',
 '''TC,

The CID investigation into the barracks assault is closed and the final report went to the OSJA
today. For the Article 32 hearing, our witness list is SA Pierce, SGT Ortega and PFC Strand.

SA Pierce
''', ['legal'])

# ---------------- location
msg('pos-51-gps-site', 'CPT Dana Morrow <dana.morrow@army.mil>', 'site-survey@contractor.ml',
 'Site survey location',
 '''Hi,

The antenna site for the survey next week is at the following GPS coordinates:
38.871942, -77.056318

Access is from the north gate. The alternate site is at lat 38.8695 lon -77.0520.

CPT Morrow
''', ['location'])

msg('pos-52-mgrs', 'S2 <s2-shop@army.mil>', 'patrol-leaders@army.ml',
 'Checkpoint grids for tomorrow',
 '''Patrol leaders,

(U//FOUO) Checkpoint grids for tomorrow:
  CP1  grid 18S UJ 23480 06470
  CP2  grid 18S UJ 24115 07302
  RP   grid 18S UJ 22950 05881

SP time 0500.
S2
''', ['location', 'marking'])

msg('pos-53-dms', 'Harbor Master <harbormaster@port-authority.example>', 'ops@sealift-logistics.ml',
 'Anchorage assignment',
 '''MV Northern Star is assigned anchorage B-4:
Position 36°56'12.4"N 076°19'48.9"W
Please report when anchored on VHF 16.
Harbor Master
''', ['location'])

# ---------------- marking
msg('pos-54-fouo-memo', 'COL Patrick Shea <patrick.shea@army.mil>', 'brigade-staff@army.ml',
 'FOUO: Force protection changes for the VIP visit',
 '''UNCLASSIFIED//FOR OFFICIAL USE ONLY

MEMORANDUM FOR RECORD

SUBJECT: Force protection measures for the Secretary's visit, 18-19 March

1. (U//FOUO) The motorcade will enter through Gate 3 at 0915 and depart via Gate 7.
2. (U//FOUO) Overwatch positions will be manned by the MP company from 0700.
3. (U) Questions to the brigade S3.

UNCLASSIFIED//FOR OFFICIAL USE ONLY
''', ['marking'])

msg('pos-55-cui-banner', 'Contracts <contracts@contoso-defense.com>', 'sub-pm@subcontractor.ml',
 'CDRL A012 draft for review',
 '''CUI

Controlled by: DoD PEO Soldier
CUI Category: CTI
Distribution Statement D. Distribution authorized to the Department of Defense and U.S. DoD
contractors only.
POC: contracts@contoso-defense.com

(CUI) Attached draft of CDRL A012 (interface control document) for your review. Please return
comments by 29 March.

CUI
''', ['marking'])

msg('pos-56-secret-spill', 'SSG Omar Tate <omar.tate@army.mil>', 'j.tate.home@gmail.ml',
 'notes for the brief',
 '''SECRET//NOFORN

(S//NF) The battalion will shift to the northern sector on 2 April.
(S//NF) Two companies remain in reserve.

SECRET//NOFORN
''', ['marking'])

msg('pos-57-au-official-sensitive', 'Department Liaison <liaison@defence.gov.example>', 'us-liaison@army.ml',
 'Exercise planning [SEC=OFFICIAL:Sensitive]',
 '''OFFICIAL: Sensitive

Colleagues,

Attached is the draft schedule for the combined planning conference. Please do not forward
outside the planning group.

OFFICIAL: Sensitive
''', ['marking'])

msg('pos-58-rel-to', 'J2 Desk <j2-desk@mail.mil>', 'partners@coalition.ml',
 'Weekly update',
 '''CONFIDENTIAL//REL TO USA, GBR, AUS

(C//REL) Partner force training is on schedule at all three sites.
(U) Next update 21 March.

CONFIDENTIAL//REL TO USA, GBR, AUS
''', ['marking'])

msg('pos-59-les-bulletin', 'Fusion Center <bulletins@fusioncenter.example>', 'watch-officers@police.ml',
 'Officer safety bulletin',
 '''LAW ENFORCEMENT SENSITIVE - Not for public release

Subject vehicle: dark grey 2019 Dodge Charger, VA tag UQT-4821, associated with armed robbery
suspects. Approach with caution.

LAW ENFORCEMENT SENSITIVE
''', ['marking'])

msg('pos-60-not-releasable', 'Program Office <pmo@navy.mil>', 'vendor-rep@shipyard.ml',
 'Test schedule',
 '''NOT RELEASABLE TO THE PUBLIC OR FOREIGN GOVERNMENTS

Sea trials for hull 4 begin 6 May. Builder's trials crew report aboard 5 May.

Program Office
''', ['marking'])

msg('pos-61-fouo-travel-vip', 'Protocol Office <protocol@army.mil>', 'hotel-sales@grandhotel.ml',
 'Room block for the delegation',
 '''FOUO

Good morning,

Confirming the room block for the delegation, 18-20 March:
  Reservation number: GH-55120987 (8 rooms)
  Arrival flight: AF 28 CDG-IAD on 18 MAR, arriving 13:05
  Motorcade from IAD to hotel

Please keep the guest names off the public board.
Protocol Office
''', ['marking', 'itinerary'])

msg('pos-62-nofedcon', 'Program Security <psec@contoso-defense.com>', 'partner@teaming.ml',
 'Draft requirements matrix',
 '''CUI//SP-CTI//FEDCON

Draft requirements matrix attached for the teaming discussion. Contractors only; not for further
dissemination.

CUI//SP-CTI//FEDCON
''', ['marking'])

# ---------------- a few {"text": ...} samples
text('Per your request, my SSN is 212-48-7391 and DOB 03/22/1991.', ['identity'])
text('The invoice number is 741852963 and the PO is 4410.', [])
text('Please call me at 703-555-0199 tomorrow after 2pm.', [])
text('Your one-time password is 482913. It expires in 10 minutes.', ['credential'])
text('I need to update my passport before the trip; it expires in June.', [])
text('P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<20', [])
text('Meeting notes: the official kickoff is Monday; the budget remains confidential until then.', [])
text('Coordinates: 34.052235, -118.243683 (the loading dock)', ['location'])
