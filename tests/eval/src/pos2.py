from mk import msg, text

# ---------------- identity
msg('pos-24-new-hire-ssn', 'Karen Oduya <karen.oduya@contoso-eng.com>', 'payroll@contoso-eng.ml',
 'New hire paperwork - Delgado',
 '''Hi Payroll,

New hire starting Monday. Info from his I-9 and W-4:

Name: Javier Delgado
SSN: 212-48-7391
Date of birth: 03/22/1991
Address: 4410 N Pershing Dr, Arlington VA 22203
Driver's license: Virginia A04-55-1298

Please set him up for the 3/29 pay run.
Karen (HR)
''', ['identity'])

msg('pos-25-edipi', 'SSG Tanya Brooks <tanya.brooks@army.mil>', 'helpdesk@army.ml',
 'CAC issue - account locked',
 '''Helpdesk,

My CAC stopped working on the NIPR machines after the PIN reset. Can you unlock my account?

Name: Brooks, Tanya M.
DoD ID (EDIPI): 1482937465
Unit: HHC, 2-4 IN
Phone: DSN 312-555-0187

Thank you,
SSG Brooks
''', ['identity'])

msg('pos-26-sf86', 'Security Office <fso@contoso-defense.com>', 'cleared-candidate@gmail.ml',
 'SF-86 pre-fill - please verify',
 '''Mr. Hargrove,

Before we release your e-QIP invitation, please verify the information we have on file:

Full name: Wesley Thomas Hargrove
SSN 521 67 3904
DOB: 11/30/1984
Place of birth: Tulsa, Oklahoma
Prior clearance: Secret, 2016 (DISS)

Reply with any corrections. Do not include your SSN in your reply.

Facility Security Officer
''', ['identity'])

msg('pos-27-privacy-act-form', 'Personnel Services <ps@navy.mil>', 'sailor.home@yahoo.ml',
 'Dependency application - missing info',
 '''PRIVACY ACT STATEMENT: Authority: 10 U.S.C. 5013; E.O. 9397 (SSN). Principal purpose: to
determine eligibility for dependency benefits. Routine uses: none. Disclosure: voluntary;
however, failure to provide the information may delay processing.

Petty Officer Lane,

Your DD 1172-2 is missing your spouse's information. We have:

Member: PO2 Jordan Lane   SSN: 408-66-2193
Spouse: Alexis Lane   born 07/04/1993   SSN: pending

Please bring your marriage certificate to Personnel Services.
''', ['marking', 'identity'])

msg('pos-28-dob-only', 'Pediatric Associates <frontdesk@pedsassoc.example>', 'parent@gmail.ml',
 'Appointment confirmation',
 '''Hello,

This confirms an appointment for Mia Castillo (DOB 05/17/2019) on Thursday, March 21 at 3:40 PM
with Dr. Patel for her well-child visit and immunizations.

Please arrive 15 minutes early and bring her insurance card.
Pediatric Associates
''', ['identity', 'medical'])

# ---------------- medical
msg('pos-29-referral', 'Dr. Alan Greer <agreer@northside-ortho.example>', 'referrals@sportsmed.ml',
 'Referral: Theresa Cole',
 '''Dear colleague,

Referring Ms. Theresa Cole (DOB 02/09/1978, MRN 00482913) for evaluation of chronic low back pain.

Diagnosis: Low back pain, M54.50; lumbar radiculopathy M54.16
History: 8 months of pain radiating to the left leg; failed 6 weeks of PT and NSAIDs.
MRI 02/2024: L4-L5 disc protrusion with mild foraminal narrowing.
Medications: meloxicam 15 mg daily, gabapentin 300 mg TID.

Please see her at your earliest availability.

Alan Greer, MD
''', ['medical', 'identity'])

msg('pos-30-profile-tbi', 'CPT Rachel Ames <rachel.ames@army.mil>', 'company-cdr@army.ml',
 'Temporary profile - SPC Duarte',
 '''Sir,

SPC Duarte was seen at the TMC today after the range incident.

Dx: concussion without loss of consciousness (S06.0X0A), cervical strain (S16.1XXA)
Profile: temporary, 30 days. No running, no ruck, no weapons qualification, no driving tactical
vehicles. Follow-up with the TBI clinic on 26 MAR.

Please keep this within the command team.
CPT Ames, PA-C
''', ['medical'])

msg('pos-31-xray-report', 'Radiology <radiology@valleyclinic.example>', 'dr.okafor@valleyclinic.ml',
 'Radiology report - chest x-ray',
 '''RADIOLOGY REPORT

Patient: HENDRICKS, PAUL    MRN: VC-7781204    DOB: 10/02/1959
Exam: XR CHEST 2 VIEWS   Date: 03/11/2024
Indication: cough, fever x 5 days. ICD-10: R05.9, R50.9

Findings: Patchy consolidation in the right lower lobe. No pleural effusion. Heart size normal.
Impression: Right lower lobe pneumonia. Recommend follow-up radiograph in 6-8 weeks.

Electronically signed by: M. Ito, MD
''', ['medical', 'identity'])

msg('pos-32-phi-labs', 'Valley Clinic Nurse Line <nurse@valleyclinic.example>', 'k.ward@gmail.ml',
 'Your lab results',
 '''CONFIDENTIAL: This message contains protected health information (PHI). If you are not the
intended recipient, notify the sender and delete it.

Hi Kevin,

Dr. Okafor reviewed your labs from March 8:
  HbA1c 7.9% (high)
  LDL 162 mg/dL (high)
  eGFR 71

She would like to start metformin 500 mg twice daily for your type 2 diabetes and recheck in
three months. Please call to schedule.

Nurse Line
''', ['medical'])

msg('pos-33-lod', 'Medical Readiness <mro@army.mil>', 'bn-s1@army.ml',
 'LOD and MEB packet status',
 '''S1,

Status of open LOD/MEB packets:

SSG Harmon - LOD approved (in line of duty). Diagnosis: PTSD, F43.10; MEB referral pending.
SGT Kwan  - LOD pending. Dx: torn ACL left knee (S83.512A), surgery 02 APR.
SPC Li    - profile extended, depression (F32.1), behavioral health follow-up weekly.

Please protect this information - HIPAA applies.
Medical Readiness Office
''', ['medical'], qp=True)

msg('pos-34-medical-qp', 'Hope Family Practice <office@hopefp.example>', 'insurance-claims@insurer.ml',
 'Claim documentation - patient Rivera',
 '''Please find the requested documentation for patient Luz Rivera, medical record number 2024-11873.

Date of service: 02/14/2024
Diagnoses: major depressive disorder, recurrent, moderate (ICD-10 F33.1); generalized anxiety
disorder (F41.1)
Treatment: psychotherapy 60 min (90837), medication management.

Hope Family Practice
''', ['medical'], qp=True)

# ---------------- financial
msg('pos-35-card-booking', 'Ramona Keyes <ramona@capitoltravelgrp.com>', 'billing@hotel-partner.ml',
 'Guarantee for group block - card details',
 '''Hello,

Please guarantee the group block (12 rooms, 14-18 April) with the following card:

Card: VISA 4532 7155 2134 8872
Exp: 09/27   CVV: 311
Name on card: Capitol Travel Group LLC

Billing zip 20004. Please send the folio to this address after check-out.

Ramona Keyes
''', ['financial'])

msg('pos-36-wire-iban', 'Treasury <treasury@contoso-eng.com>', 'ap-europe@subsidiary.ml',
 'Wire instructions for the Berlin office lease',
 '''Hi team,

Please wire the Q2 lease payment (EUR 48,600.00) to the landlord by March 28:

Beneficiary: Spreepark Immobilien GmbH
IBAN: DE62 3704 0044 0532 0130 01
BIC: COBADEFFXXX
Reference: Lease Q2/2024 Contoso

Second payee for the UK office: GB02 NWBK 6016 1331 9268 20

Treasury
''', ['financial'])

msg('pos-37-direct-deposit', 'PO1 Jordan Lane <jordan.lane@navy.mil>', 'pay-clerk@navy.ml',
 'Direct deposit change',
 '''Hi,

I changed banks, please update my direct deposit for the next pay period:

Bank: Navy Federal Credit Union
Routing number: 256074974
Account number: 7012345678 (checking)

Thanks,
PO1 Lane
''', ['financial'])

msg('pos-38-w2', 'Payroll <payroll@contoso-eng.com>', 'j.delgado@gmail.ml',
 'Your corrected W-2 for 2023',
 '''Hello Javier,

A corrected Form W-2 for tax year 2023 is below because box 12 was wrong.

Employer: Contoso Engineering LLC   EIN: 54-1827364
Employee: Javier Delgado   SSN: 212-48-7391
Box 1 Wages: $88,412.50   Box 2 Federal tax withheld: $11,204.77
Box 12a: D 6,500.00

Payroll
''', ['financial', 'identity'])

msg('pos-39-1040', 'Ellen Marsh CPA <ellen@marshtax.example>', 'the.lanes@gmail.ml',
 'Your 2023 return is ready to sign',
 '''Jordan and Alexis,

Your 2023 Form 1040 (married filing jointly) is ready. Summary:

Taxpayer SSN: 408-66-2193
Spouse SSN: 399-41-7720
AGI: $94,310   Refund: $2,418

Refund by direct deposit to routing 256074974, account 7012345678.

Sign the 8879 in the portal and I'll e-file tomorrow.
Ellen
''', ['financial', 'identity'])

msg('pos-40-mc-card-reply', 'Brian Cho <brian.cho@contoso-eng.com>', 'events@conference-venue.ml',
 'Re: Deposit for the offsite',
 '''Sure - please charge the deposit to my corporate card 5424-1833-0012-7652, exp 11/26.

Brian

> Please send card details for the 50% deposit ($6,250.00) to hold the date.
''', ['financial'])
