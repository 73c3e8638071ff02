// The receiver's answers as recorded before the receiver was split by endpoint (issue 11), one
// line per request of `WireBytesTests`: `METHOD target -> status body`. Recorded with
// RECEIVER_WIRE_TRANSCRIPT_OUT=/tmp/wire.txt swift test --filter WireBytesTests; never re-record
// it to make a refactor pass: a diff here is a change of the wire.
enum WireTranscript {
    static let recorded = ##"""
GET /api/v1/nothing -> 404 {"error":"not_found","message":"no such endpoint"}
GET /api/v1/absences -> 405 {"error":"method_not_allowed","message":"this method is not allowed here"}
POST /api/v1/schedules/x/slots -> 405 {"error":"method_not_allowed","message":"this method is not allowed here"}
GET /api/v1/schedules//slots -> 404 {"error":"not_found","message":"no such endpoint"}
GET /api/v1/bookings/abc -> 404 {"error":"not_found","message":"no such endpoint"}
GET /api/v1/bookings/0123456789abcdef0123456789abcdef/move -> 405 {"error":"method_not_allowed","message":"this method is not allowed here"}
DELETE /api/v1/bookings/zz/move -> 404 {"error":"not_found","message":"no such endpoint"}
POST /api/v1/absences -> 401 {"error":"missing_signature","message":"the request lacks the X-Portal-Token header"}
POST /api/v1/absences -> 415 {"error":"unsupported_content_type","message":"the body must be application/json"}
POST /api/v1/absences -> 201 {"id":"f4d629471ebd3e03436f290845793b92","received":"2027-02-01T12:00:00Z"}
GET /api/v1/admin/bookings -> 422 {"error":"invalid_request","message":"a GET request has no body"}
POST /api/v1/absences -> 413 {"error":"body_too_large","message":"the request body is larger than 16384 bytes"}
GET /api/v1/admin/submissions -> 403 {"error":"admin_only","message":"this endpoint needs the staff admin signature"}
GET /api/v1/schedules/groups/groep-5/conferences/oudergesprekken-februari/slots -> 403 {"error":"token_only","message":"this endpoint needs a parent token signature"}
GET /api/v1/schedules/groups/groep-5/conferences/oudergesprekken-februari/slots -> 401 {"error":"unknown_token","message":"this token is unknown or has been revoked"}
GET /api/v1/schedules/groups/groep-5/conferences/oudergesprekken-februari/slots -> 403 {"error":"token_expired","message":"this token has expired"}
POST /api/v1/absences -> 400 {"error":"malformed_json","message":"the body is not valid JSON"}
POST /api/v1/absences -> 422 {"error":"invalid_request","message":"the body must be a JSON object"}
POST /api/v1/absences -> 400 {"error":"malformed_json","message":"the body is not valid JSON"}
POST /api/v1/absences -> 400 {"error":"malformed_json","message":"the body is not valid JSON"}
POST /api/v1/absences -> 400 {"error":"malformed_json","message":"the body is not valid JSON"}
POST /api/v1/absences -> 400 {"error":"malformed_json","message":"the body is not valid JSON"}
POST /api/v1/absences -> 422 {"error":"invalid_request","message":"missing field \"from\""}
POST /api/v1/absences -> 201 {"id":"52acf48e5e8c3f99d16d391fa1aba4f9","received":"2027-02-01T12:00:00Z"}
POST /api/v1/absences -> 403 {"error":"group_not_allowed","message":"this token cannot report absence for group groep-3"}
POST /api/v1/absences -> 403 {"error":"group_not_allowed","message":"this token cannot report absence for group school"}
POST /api/v1/absences -> 422 {"error":"invalid_request","message":"unknown field \"a\""}
POST /api/v1/absences -> 422 {"error":"invalid_request","message":"field \"group\" must be a string"}
POST /api/v1/absences -> 422 {"error":"invalid_request","message":"field \"group\" must be a string"}
POST /api/v1/absences -> 422 {"error":"invalid_request","message":"field \"group\" must be a string"}
POST /api/v1/absences -> 422 {"error":"invalid_request","message":"field \"group\" must be 1 to 64 bytes"}
POST /api/v1/absences -> 422 {"error":"invalid_request","message":"field \"group\" contains control characters"}
POST /api/v1/absences -> 422 {"error":"invalid_request","message":"field \"group\" contains control characters"}
POST /api/v1/absences -> 422 {"error":"invalid_request","message":"field \"group\" contains control characters"}
POST /api/v1/absences -> 422 {"error":"invalid_request","message":"missing field \"group\""}
POST /api/v1/absences -> 422 {"error":"invalid_request","message":"from and to must be dates YYYY-MM-DD"}
POST /api/v1/absences -> 422 {"error":"invalid_request","message":"from and to must be dates YYYY-MM-DD"}
POST /api/v1/absences -> 422 {"error":"invalid_request","message":"field \"from\" must be 1 to 10 bytes"}
POST /api/v1/absences -> 422 {"error":"invalid_request","message":"from must not be after to"}
POST /api/v1/absences -> 422 {"error":"invalid_request","message":"an absence report covers at most 62 days"}
POST /api/v1/absences -> 422 {"error":"invalid_request","message":"the dates must lie between 31 days ago and a year ahead"}
POST /api/v1/absences -> 422 {"error":"invalid_request","message":"the dates must lie between 31 days ago and a year ahead"}
POST /api/v1/absences -> 422 {"error":"invalid_request","message":"field \"sealed\" must be an object"}
POST /api/v1/absences -> 422 {"error":"invalid_request","message":"sealed.enc must be 32 bytes in base64"}
POST /api/v1/absences -> 422 {"error":"invalid_request","message":"sealed.ct must be 17 to 4112 bytes in base64"}
POST /api/v1/absences -> 422 {"error":"invalid_request","message":"missing field \"ct\""}
POST /api/v1/absences -> 422 {"error":"invalid_request","message":"field \"enc\" must be a string"}
POST /api/v1/absences -> 422 {"error":"invalid_request","message":"unknown field \"x\""}
POST /api/v1/registrations -> 201 {"registered_at":"2027-02-01T12:00:00Z","token_id":"95003168fd11de691b5e4241fa036146"}
POST /api/v1/registrations -> 200 {"registered_at":"2027-02-01T12:00:00Z","token_id":"95003168fd11de691b5e4241fa036146"}
POST /api/v1/registrations -> 422 {"error":"invalid_request","message":"field \"device\" must be a string"}
POST /api/v1/registrations -> 422 {"error":"invalid_request","message":"field \"device\" must be 1 to 64 bytes"}
POST /api/v1/registrations -> 422 {"error":"invalid_request","message":"field \"device\" contains control characters"}
POST /api/v1/registrations -> 422 {"error":"invalid_request","message":"unknown field \"devices\""}
POST /api/v1/registrations -> 201 {"registered_at":"2027-02-01T13:00:00Z","token_id":"00903b35b33dc80d9058e53bea6d93ac"}
POST /api/v1/registrations -> 403 {"error":"registration_closed","message":"the registration period of this token has ended; ask the school for a new code"}
POST /api/v1/registrations -> 200 {"registered_at":"2027-02-01T12:00:00Z","token_id":"95003168fd11de691b5e4241fa036146"}
POST /api/v1/bookings -> 201 {"bookings":[{"end":"2027-02-09T19:10:00Z","id":"ee9ccad7f0c1874e4f4991ea16b4cc4f","schedule":"groups/groep-5/conferences/oudergesprekken-februari","slot":"s003","start":"2027-02-09T19:00:00Z"}],"id":"ee9ccad7f0c1874e4f4991ea16b4cc4f","received":"2027-02-01T12:00:00Z"}
POST /api/v1/bookings -> 409 {"error":"slot_taken","free":{"groups/groep-5/conferences/oudergesprekken-februari":["s000","s001","s002","s004","s005","s006","s007"]},"message":"slot s003 of groups/groep-5/conferences/oudergesprekken-februari was just taken"}
POST /api/v1/bookings -> 409 {"error":"family_limit","free":{"groups/groep-5/conferences/oudergesprekken-februari":["s000","s001","s002","s004","s005","s006","s007"]},"message":"this family already holds 1 booking(s) in groups/groep-5/conferences/oudergesprekken-februari; cancel or move one"}
POST /api/v1/bookings -> 201 {"bookings":[{"end":"2027-02-09T19:20:00Z","id":"80a0e9d380d9cf654d0ae742c9eff8e6","schedule":"groups/groep-5/conferences/oudergesprekken-februari","slot":"s004","start":"2027-02-09T19:10:00Z"},{"end":"2027-02-09T19:30:00Z","id":"12e917cbfd36da72cca17cf5946afdb3","schedule":"groups/groep-3/conferences/oudergesprekken-februari","slot":"s005","start":"2027-02-09T19:20:00Z"}],"id":"80a0e9d380d9cf654d0ae742c9eff8e6","received":"2027-02-01T12:00:00Z"}
POST /api/v1/bookings -> 409 {"error":"family_limit","free":{"groups/groep-3/conferences/oudergesprekken-februari":["s000","s001","s002","s003","s004","s006","s007"],"groups/groep-5/conferences/oudergesprekken-februari":["s000","s001","s002","s005","s006","s007"]},"message":"this family already holds 1 booking(s) in groups/groep-5/conferences/oudergesprekken-februari; cancel or move one"}
POST /api/v1/bookings -> 422 {"error":"invalid_request","message":"a slot occurs twice in claims"}
POST /api/v1/bookings -> 422 {"error":"invalid_request","message":"claims holds 1 to 4 claims"}
POST /api/v1/bookings -> 422 {"error":"invalid_request","message":"field \"claims\" must be a list"}
POST /api/v1/bookings -> 422 {"error":"invalid_request","message":"\"claims\" must hold objects"}
POST /api/v1/bookings -> 422 {"error":"invalid_request","message":"unknown field \"x\""}
POST /api/v1/bookings -> 422 {"error":"invalid_request","message":"field \"slot\" must be a string"}
POST /api/v1/bookings -> 422 {"error":"invalid_request","message":"unknown field \"note\""}
POST /api/v1/bookings -> 422 {"error":"invalid_request","message":"field \"slot\" contains control characters"}
POST /api/v1/bookings -> 422 {"error":"invalid_request","message":"field \"sealed\" must be an object"}
POST /api/v1/bookings -> 404 {"error":"unknown_schedule","message":"no such conference schedule for this token"}
POST /api/v1/bookings -> 404 {"error":"unknown_slot","message":"schedule groups/groep-5/conferences/oudergesprekken-februari has no slot s999"}
POST /api/v1/bookings -> 403 {"error":"booking_closed","message":"booking closed at 2027-01-31T12:00:00Z"}
POST /api/v1/bookings -> 403 {"error":"too_late","message":"slot soon starts in less than 24 hours; contact the teacher"}
GET /api/v1/schedules/groups/groep-5/conferences/oudergesprekken-februari/slots -> 200 {"closes":"2027-02-06T12:00:00Z","min_notice_hours":24,"now":"2027-02-01T12:00:00Z","open":true,"opens":"2027-01-31T12:00:00Z","per_family":1,"schedule":"groups/groep-5/conferences/oudergesprekken-februari","slots":[{"bookable":true,"end":"2027-02-09T18:40:00Z","id":"s000","start":"2027-02-09T18:30:00Z","state":"free"},{"bookable":true,"end":"2027-02-09T18:50:00Z","id":"s001","start":"2027-02-09T18:40:00Z","state":"free"},{"bookable":true,"end":"2027-02-09T19:00:00Z","id":"s002","start":"2027-02-09T18:50:00Z","state":"free"},{"bookable":false,"booking":"ee9ccad7f0c1874e4f4991ea16b4cc4f","end":"2027-02-09T19:10:00Z","id":"s003","start":"2027-02-09T19:00:00Z","state":"mine"},{"bookable":false,"end":"2027-02-09T19:20:00Z","id":"s004","start":"2027-02-09T19:10:00Z","state":"taken"},{"bookable":true,"end":"2027-02-09T19:30:00Z","id":"s005","start":"2027-02-09T19:20:00Z","state":"free"},{"bookable":true,"end":"2027-02-09T19:40:00Z","id":"s006","start":"2027-02-09T19:30:00Z","state":"free"},{"bookable":true,"end":"2027-02-09T19:50:00Z","id":"s007","start":"2027-02-09T19:40:00Z","state":"free"},{"bookable":false,"end":"2027-02-02T08:10:00Z","id":"soon","start":"2027-02-02T08:00:00Z","state":"free"}],"teacher":"Juf Sanne"}
GET /api/v1/schedules/groups%2Fgroep-5%2Fconferences%2Foudergesprekken-februari/slots -> 200 {"closes":"2027-02-06T12:00:00Z","min_notice_hours":24,"now":"2027-02-01T12:00:00Z","open":true,"opens":"2027-01-31T12:00:00Z","per_family":1,"schedule":"groups/groep-5/conferences/oudergesprekken-februari","slots":[{"bookable":true,"end":"2027-02-09T18:40:00Z","id":"s000","start":"2027-02-09T18:30:00Z","state":"free"},{"bookable":true,"end":"2027-02-09T18:50:00Z","id":"s001","start":"2027-02-09T18:40:00Z","state":"free"},{"bookable":true,"end":"2027-02-09T19:00:00Z","id":"s002","start":"2027-02-09T18:50:00Z","state":"free"},{"bookable":false,"end":"2027-02-09T19:10:00Z","id":"s003","start":"2027-02-09T19:00:00Z","state":"taken"},{"bookable":false,"end":"2027-02-09T19:20:00Z","id":"s004","start":"2027-02-09T19:10:00Z","state":"taken"},{"bookable":true,"end":"2027-02-09T19:30:00Z","id":"s005","start":"2027-02-09T19:20:00Z","state":"free"},{"bookable":true,"end":"2027-02-09T19:40:00Z","id":"s006","start":"2027-02-09T19:30:00Z","state":"free"},{"bookable":true,"end":"2027-02-09T19:50:00Z","id":"s007","start":"2027-02-09T19:40:00Z","state":"free"},{"bookable":false,"end":"2027-02-02T08:10:00Z","id":"soon","start":"2027-02-02T08:00:00Z","state":"free"}],"teacher":"Juf Sanne"}
GET /api/v1/schedules/groups/groep-3/conferences/oudergesprekken-februari/slots -> 404 {"error":"unknown_schedule","message":"no such conference schedule for this token"}
GET /api/v1/schedules/%zz/slots -> 404 {"error":"not_found","message":"no such endpoint"}
POST /api/v1/bookings/ee9ccad7f0c1874e4f4991ea16b4cc4f/move -> 200 {"end":"2027-02-09T19:50:00Z","id":"ee9ccad7f0c1874e4f4991ea16b4cc4f","schedule":"groups/groep-5/conferences/oudergesprekken-februari","slot":"s007","start":"2027-02-09T19:40:00Z"}
POST /api/v1/bookings/ee9ccad7f0c1874e4f4991ea16b4cc4f/move -> 200 {"end":"2027-02-09T19:50:00Z","id":"ee9ccad7f0c1874e4f4991ea16b4cc4f","schedule":"groups/groep-5/conferences/oudergesprekken-februari","slot":"s007","start":"2027-02-09T19:40:00Z"}
POST /api/v1/bookings/ee9ccad7f0c1874e4f4991ea16b4cc4f/move -> 409 {"error":"slot_taken","free":{"groups/groep-5/conferences/oudergesprekken-februari":["s000","s001","s002","s003","s005","s006"]},"message":"slot s004 of groups/groep-5/conferences/oudergesprekken-februari was just taken"}
POST /api/v1/bookings/ee9ccad7f0c1874e4f4991ea16b4cc4f/move -> 404 {"error":"unknown_slot","message":"schedule groups/groep-5/conferences/oudergesprekken-februari has no slot s999"}
POST /api/v1/bookings/ee9ccad7f0c1874e4f4991ea16b4cc4f/move -> 422 {"error":"invalid_request","message":"field \"sealed\" must be an object"}
POST /api/v1/bookings/ee9ccad7f0c1874e4f4991ea16b4cc4f/move -> 422 {"error":"invalid_request","message":"unknown field \"x\""}
POST /api/v1/bookings/ee9ccad7f0c1874e4f4991ea16b4cc4f/move -> 404 {"error":"unknown_booking","message":"no such booking of this family"}
POST /api/v1/bookings/ee9ccad7f0c1874e4f4991ea16b4cc4f -> 405 {"error":"method_not_allowed","message":"this method is not allowed here"}
DELETE /api/v1/bookings/ee9ccad7f0c1874e4f4991ea16b4cc4f -> 404 {"error":"unknown_booking","message":"no such booking of this family"}
DELETE /api/v1/bookings/ee9ccad7f0c1874e4f4991ea16b4cc4f -> 200 {"cancelled":"ee9ccad7f0c1874e4f4991ea16b4cc4f","schedule":"groups/groep-5/conferences/oudergesprekken-februari","slot":"s007"}
DELETE /api/v1/bookings/ee9ccad7f0c1874e4f4991ea16b4cc4f -> 404 {"error":"unknown_booking","message":"no such booking of this family"}
POST /api/v1/bookings -> 201 {"bookings":[{"end":"2027-02-09T18:40:00Z","id":"83b0c8cb49e9d69002eb469b498fb47e","schedule":"groups/groep-5/conferences/oudergesprekken-februari","slot":"s000","start":"2027-02-09T18:30:00Z"}],"id":"83b0c8cb49e9d69002eb469b498fb47e","received":"2027-02-01T12:00:00Z"}
GET /api/v1/admin/submissions -> 200 {"submissions":[{"family":"fam-a","from":"2027-02-01","group":"groep-5","id":"f4d629471ebd3e03436f290845793b92","kind":"absence","received":"2027-02-01T12:00:00Z","sealed":{"ct":"AAECAwQFBgcICQoLDA0ODxA=","enc":"4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eE="},"to":"2027-02-02","token_id":"00903b35b33dc80d9058e53bea6d93ac"},{"family":"fam-a","from":"2027-02-01","group":"groep-5","id":"52acf48e5e8c3f99d16d391fa1aba4f9","kind":"absence","received":"2027-02-01T12:00:00Z","sealed":{"ct":"AAECAwQFBgcICQoLDA0ODxA=","enc":"4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eE="},"to":"2027-02-02","token_id":"00903b35b33dc80d9058e53bea6d93ac"}]}
GET /api/v1/admin/submissions?since=2027-01-01 -> 200 {"submissions":[{"family":"fam-a","from":"2027-02-01","group":"groep-5","id":"f4d629471ebd3e03436f290845793b92","kind":"absence","received":"2027-02-01T12:00:00Z","sealed":{"ct":"AAECAwQFBgcICQoLDA0ODxA=","enc":"4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eE="},"to":"2027-02-02","token_id":"00903b35b33dc80d9058e53bea6d93ac"},{"family":"fam-a","from":"2027-02-01","group":"groep-5","id":"52acf48e5e8c3f99d16d391fa1aba4f9","kind":"absence","received":"2027-02-01T12:00:00Z","sealed":{"ct":"AAECAwQFBgcICQoLDA0ODxA=","enc":"4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eE="},"to":"2027-02-02","token_id":"00903b35b33dc80d9058e53bea6d93ac"}]}
GET /api/v1/admin/submissions?since=2027-02-01T12:00:01Z -> 200 {"submissions":[]}
GET /api/v1/admin/submissions?since=2027-02-01T12%3A00%3A00Z&limit=1 -> 200 {"next":"1801483200000-1","submissions":[{"family":"fam-a","from":"2027-02-01","group":"groep-5","id":"f4d629471ebd3e03436f290845793b92","kind":"absence","received":"2027-02-01T12:00:00Z","sealed":{"ct":"AAECAwQFBgcICQoLDA0ODxA=","enc":"4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eE="},"to":"2027-02-02","token_id":"00903b35b33dc80d9058e53bea6d93ac"}]}
GET /api/v1/admin/submissions?since=yesterday -> 422 {"error":"invalid_request","message":"since must be YYYY-MM-DD or an RFC 3339 instant"}
GET /api/v1/admin/submissions?since= -> 200 {"submissions":[{"family":"fam-a","from":"2027-02-01","group":"groep-5","id":"f4d629471ebd3e03436f290845793b92","kind":"absence","received":"2027-02-01T12:00:00Z","sealed":{"ct":"AAECAwQFBgcICQoLDA0ODxA=","enc":"4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eE="},"to":"2027-02-02","token_id":"00903b35b33dc80d9058e53bea6d93ac"},{"family":"fam-a","from":"2027-02-01","group":"groep-5","id":"52acf48e5e8c3f99d16d391fa1aba4f9","kind":"absence","received":"2027-02-01T12:00:00Z","sealed":{"ct":"AAECAwQFBgcICQoLDA0ODxA=","enc":"4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eE="},"to":"2027-02-02","token_id":"00903b35b33dc80d9058e53bea6d93ac"}]}
GET /api/v1/admin/submissions?limit=0 -> 422 {"error":"invalid_request","message":"limit must be a positive number"}
GET /api/v1/admin/submissions?limit=x -> 422 {"error":"invalid_request","message":"limit must be a positive number"}
GET /api/v1/admin/bookings -> 200 {"bookings":[{"created":"2027-02-01T12:00:00Z","end":"2027-02-09T19:30:00Z","family":"fam-multi","id":"12e917cbfd36da72cca17cf5946afdb3","schedule":"groups/groep-3/conferences/oudergesprekken-februari","sealed":{"ct":"AAECAwQFBgcICQoLDA0ODxA=","enc":"4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eE="},"slot":"s005","start":"2027-02-09T19:20:00Z","teacher":"Meester Ali","token_id":"6701682e310e05bf1dc1da5602ae7c34"},{"created":"2027-02-01T12:00:00Z","end":"2027-02-09T18:40:00Z","family":"fam-b","id":"83b0c8cb49e9d69002eb469b498fb47e","schedule":"groups/groep-5/conferences/oudergesprekken-februari","sealed":{"ct":"AAECAwQFBgcICQoLDA0ODxA=","enc":"4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eE="},"slot":"s000","start":"2027-02-09T18:30:00Z","teacher":"Juf Sanne","token_id":"52300c648d7bf3be9967637971f2df72"},{"created":"2027-02-01T12:00:00Z","end":"2027-02-09T19:20:00Z","family":"fam-multi","id":"80a0e9d380d9cf654d0ae742c9eff8e6","schedule":"groups/groep-5/conferences/oudergesprekken-februari","sealed":{"ct":"AAECAwQFBgcICQoLDA0ODxA=","enc":"4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eE="},"slot":"s004","start":"2027-02-09T19:10:00Z","teacher":"Juf Sanne","token_id":"6701682e310e05bf1dc1da5602ae7c34"}]}
GET /api/v1/admin/bookings?schedule=groups/groep-3/conferences/oudergesprekken-februari -> 200 {"bookings":[{"created":"2027-02-01T12:00:00Z","end":"2027-02-09T19:30:00Z","family":"fam-multi","id":"12e917cbfd36da72cca17cf5946afdb3","schedule":"groups/groep-3/conferences/oudergesprekken-februari","sealed":{"ct":"AAECAwQFBgcICQoLDA0ODxA=","enc":"4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eE="},"slot":"s005","start":"2027-02-09T19:20:00Z","teacher":"Meester Ali","token_id":"6701682e310e05bf1dc1da5602ae7c34"}]}
GET /api/v1/admin/bookings?schedule= -> 200 {"bookings":[{"created":"2027-02-01T12:00:00Z","end":"2027-02-09T19:30:00Z","family":"fam-multi","id":"12e917cbfd36da72cca17cf5946afdb3","schedule":"groups/groep-3/conferences/oudergesprekken-februari","sealed":{"ct":"AAECAwQFBgcICQoLDA0ODxA=","enc":"4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eE="},"slot":"s005","start":"2027-02-09T19:20:00Z","teacher":"Meester Ali","token_id":"6701682e310e05bf1dc1da5602ae7c34"},{"created":"2027-02-01T12:00:00Z","end":"2027-02-09T18:40:00Z","family":"fam-b","id":"83b0c8cb49e9d69002eb469b498fb47e","schedule":"groups/groep-5/conferences/oudergesprekken-februari","sealed":{"ct":"AAECAwQFBgcICQoLDA0ODxA=","enc":"4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eE="},"slot":"s000","start":"2027-02-09T18:30:00Z","teacher":"Juf Sanne","token_id":"52300c648d7bf3be9967637971f2df72"},{"created":"2027-02-01T12:00:00Z","end":"2027-02-09T19:20:00Z","family":"fam-multi","id":"80a0e9d380d9cf654d0ae742c9eff8e6","schedule":"groups/groep-5/conferences/oudergesprekken-februari","sealed":{"ct":"AAECAwQFBgcICQoLDA0ODxA=","enc":"4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eE="},"slot":"s004","start":"2027-02-09T19:10:00Z","teacher":"Juf Sanne","token_id":"6701682e310e05bf1dc1da5602ae7c34"}]}
GET /api/v1/admin/bookings?schedule=none -> 200 {"bookings":[]}
GET /api/v1/admin/registrations -> 200 {"registrations":[{"device":"Android · Chrome/\"x\"","family":"fam-new","registered_at":"2027-02-01T12:00:00Z","token_id":"95003168fd11de691b5e4241fa036146"},{"family":"fam-a","registered_at":"2027-02-01T13:00:00Z","token_id":"00903b35b33dc80d9058e53bea6d93ac"}]}
GET /api/v1/admin/registrations?since=2027-02-02 -> 200 {"registrations":[]}
GET /api/v1/admin/registrations?since=2027-13-01 -> 422 {"error":"invalid_request","message":"since must be YYYY-MM-DD or an RFC 3339 instant"}
POST /api/v1/admin/registrations -> 405 {"error":"method_not_allowed","message":"this method is not allowed here"}
"""##
}
