/**
 * id_token claim sets shaped as four LMSs send them in an LtiResourceLinkRequest, taken from their
 * public documentation and published sample launches (the sources are named on each shape). Values
 * are illustrative; the *shape* (which claims, which types, which vendor extensions, string or array
 * aud, short or full role names) is what the gateway has to cope with. Each shape is signed by a
 * FakeLms (test/tool/support/fakeLms.ts) with its own test key.
 */
import type { JWTPayload } from 'jose';
import { CLAIM, LTI_VERSION, RESOURCE_LINK_REQUEST } from '../../../src/lti/claims.ts';

const LIS = 'http://purl.imsglobal.org/vocab/lis/v2/';
export const ROLE = {
  membershipInstructor: `${LIS}membership#Instructor`,
  membershipLearner: `${LIS}membership#Learner`,
  membershipTa: `${LIS}membership/Instructor#TeachingAssistant`,
  institutionInstructor: `${LIS}institution/person#Instructor`,
  institutionStudent: `${LIS}institution/person#Student`,
  institutionFaculty: `${LIS}institution/person#Faculty`,
  institutionAdministrator: `${LIS}institution/person#Administrator`,
  systemUser: `${LIS}system/person#User`,
  systemAdministrator: `${LIS}system/person#Administrator`,
  systemSysAdmin: `${LIS}system/person#SysAdmin`,
} as const;

export interface LmsShape {
  /** Display name, also the registration's name. */
  name: string;
  issuer: string;
  clientId: string;
  deploymentId: string;
  /** Extra login-initiation parameters this LMS sends (unknown ones must be ignored). */
  loginExtras: Record<string, string>;
  /** Canvas and Moodle post the login initiation; the others redirect with GET. */
  loginMethod: 'GET' | 'POST';
  /** The documented role set of a teacher in a course. */
  instructorRoles: string[];
  /** The documented role set of a student in a course. */
  learnerRoles: string[];
  /** Every claim of the launch, for this nonce, target and roles. */
  claims(input: { nonce: string; targetLinkUri: string; roles: string[]; now: number }): JWTPayload;
  /** What the hand-off must carry for these claims (role_names/permissions are checked per test). */
  expected: {
    user: Record<string, unknown>;
    context: Record<string, unknown>;
    custom: Record<string, unknown>;
    /** The LMS URLs the gateway remembers for the context (the hand-off names the gateway's own URLs for them). */
    services: { lineItemsUrl: string; lineItemUrl: string | null; membersUrl: string };
    platformGuid: string | null;
  };
}

const ags = (lineitems: string, lineitem?: string) => ({
  scope: [
    'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem',
    'https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly',
    'https://purl.imsglobal.org/spec/lti-ags/scope/score',
  ],
  lineitems,
  ...(lineitem ? { lineitem } : {}),
});
const nrps = (url: string) => ({ context_memberships_url: url, service_versions: ['2.0'] });

/**
 * Canvas. Sources: Instructure's example id_token (gist.github.com/westonkd/893d18f8a1bb36cb79d0a24324475fe6,
 * by a Canvas engineer) and Canvas's LTI launch documentation (developerdocs.instructure.com →
 * LTI → Launch Overview): iss is always https://canvas.instructure.com, aud a string (the developer
 * key's numeric client id) plus azp, deployment ids "<n>:<hash>", resource_link title/description
 * null, roles with institution + membership + system/person#User, custom claim from variable
 * substitution, lis sourcedids, lti11_legacy_user_id / lti1p1 migration claims, launch_presentation
 * with numeric height/width, the vendor claim https://www.instructure.com/placement, and Canvas's
 * "errors"/"validation_context" members. Canvas also uses its https://canvas.instructure.com/lti/…
 * namespace (tool configuration, AGS extensions); two such claims are added here, with illustrative
 * names, as the kind of unknown vendor claim the gateway must ignore.
 */
export const CANVAS: LmsShape = {
  name: 'Canvas',
  issuer: 'https://canvas.instructure.com',
  clientId: '170000000000559',
  deploymentId: '189:7f956bcc8f67cd076ae464862ce83596a1bb3293',
  loginExtras: { canvas_region: 'us-east-1', canvas_environment: 'prod', deployment_id: '189:7f956bcc8f67cd076ae464862ce83596a1bb3293' },
  loginMethod: 'POST',
  instructorRoles: [ROLE.institutionInstructor, ROLE.membershipInstructor, ROLE.systemUser],
  learnerRoles: [ROLE.institutionStudent, ROLE.membershipLearner, ROLE.systemUser],
  claims: ({ nonce, targetLinkUri, roles, now }) => ({
    [CLAIM.messageType]: RESOURCE_LINK_REQUEST,
    [CLAIM.version]: LTI_VERSION,
    [CLAIM.resourceLink]: { id: '7f956bcc8f67cd076ae464862ce83596a1bb3293', description: null, title: null, validation_context: null, errors: { errors: {} } },
    aud: CANVAS.clientId,
    azp: CANVAS.clientId,
    [CLAIM.deploymentId]: CANVAS.deploymentId,
    exp: now + 3600,
    iat: now,
    iss: CANVAS.issuer,
    nonce,
    sub: '82c59950-9ec3-4ae9-ad32-208c158143e0',
    [CLAIM.targetLinkUri]: targetLinkUri,
    picture: 'https://canvas.example.edu/images/thumbnails/170000000014079/avatar.png',
    email: 'ada@example.edu',
    name: 'Ada Lovelace',
    given_name: 'Ada',
    family_name: 'Lovelace',
    [CLAIM.lis]: { person_sourcedid: 'SIS-4711', course_offering_sourcedid: 'BIO-101-2026', validation_context: null, errors: { errors: {} } },
    [CLAIM.context]: {
      id: '4dde05e8ca1973bcca9bffc13e1548820eee93a3', label: 'BIO101', title: 'Biology 101',
      type: ['http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering'], validation_context: null, errors: { errors: {} },
    },
    [CLAIM.toolPlatform]: {
      guid: '7db438071375c02373713c12c73869ff2f470b68.canvas.example.edu', name: 'Example University', version: 'cloud',
      product_family_code: 'canvas', validation_context: null, errors: { errors: {} },
    },
    [CLAIM.launchPresentation]: { document_target: 'iframe', height: 400, width: 800, return_url: 'https://canvas.example.edu/courses/1/external_content/success/external_tool_redirect', locale: 'en', validation_context: null, errors: { errors: {} } },
    locale: 'en',
    [CLAIM.roles]: roles,
    [CLAIM.custom]: { canvas_course_id: '1', canvas_user_id: '6', section: 'A' },
    [CLAIM.ags]: ags('https://canvas.example.edu/api/lti/courses/1/line_items', 'https://canvas.example.edu/api/lti/courses/1/line_items/7'),
    [CLAIM.nrps]: nrps('https://canvas.example.edu/api/lti/courses/1/names_and_roles'),
    'https://purl.imsglobal.org/spec/lti/claim/lti11_legacy_user_id': '6c5a1f8b2e0e4f3a9d7c1b2a3e4f5a6b7c8d9e0f',
    'https://purl.imsglobal.org/spec/lti/claim/lti1p1': { user_id: '6c5a1f8b2e0e4f3a9d7c1b2a3e4f5a6b7c8d9e0f', validation_context: null, errors: { errors: {} } },
    'https://www.instructure.com/placement': 'course_navigation',
    'https://canvas.instructure.com/lti/privacy_level': 'public',
    'https://canvas.instructure.com/lti/submission_type': { type: 'external_tool', external_tool_url: targetLinkUri },
    errors: { errors: {} },
  }),
  expected: {
    user: { sub: '82c59950-9ec3-4ae9-ad32-208c158143e0', name: 'Ada Lovelace', email: 'ada@example.edu', locale: 'en', picture: 'https://canvas.example.edu/images/thumbnails/170000000014079/avatar.png' },
    context: { id: '4dde05e8ca1973bcca9bffc13e1548820eee93a3', label: 'BIO101', title: 'Biology 101' },
    custom: { canvas_course_id: '1', canvas_user_id: '6', section: 'A' },
    services: {
      lineItemsUrl: 'https://canvas.example.edu/api/lti/courses/1/line_items',
      lineItemUrl: 'https://canvas.example.edu/api/lti/courses/1/line_items/7',
      membersUrl: 'https://canvas.example.edu/api/lti/courses/1/names_and_roles',
    },
    platformGuid: '7db438071375c02373713c12c73869ff2f470b68.canvas.example.edu',
  },
};

/**
 * Moodle (4.x, mod/lti). Sources: Moodle's own launch code (moodle/moodle mod/lti/locallib.php,
 * lti_build_request / lti_get_jwt_claim_mapping / lti_get_ims_role) and Moodle launches published by
 * the IMS reference tool (lti-ri.imsglobal.org, e.g. platforms/5449): iss is the site's wwwroot, aud
 * the client id as a string, numeric-string deployment ids, roles converted from LTI 1.1 (membership
 * + institution/person#Administrator + system/person#Administrator for a site admin), context type
 * as the LTI 1.1 short name "CourseSection", lis with empty sourcedids, custom parameters from the
 * tool configuration, the ext claim {user_username, lms}, AGS and NRPS claims.
 */
export const MOODLE: LmsShape = {
  name: 'Moodle',
  issuer: 'https://moodle.example.edu',
  clientId: 'Yr4mDX5KBxNnh3G',
  deploymentId: '3',
  loginExtras: {},
  loginMethod: 'POST',
  instructorRoles: [ROLE.institutionAdministrator, ROLE.membershipInstructor, ROLE.systemAdministrator],
  learnerRoles: [ROLE.membershipLearner],
  claims: ({ nonce, targetLinkUri, roles, now }) => ({
    nonce,
    iat: now,
    exp: now + 60,
    iss: MOODLE.issuer,
    aud: MOODLE.clientId,
    [CLAIM.deploymentId]: MOODLE.deploymentId,
    [CLAIM.targetLinkUri]: targetLinkUri,
    sub: '2',
    [CLAIM.lis]: { person_sourcedid: '', course_section_sourcedid: '' },
    [CLAIM.roles]: roles,
    [CLAIM.context]: { id: '2', label: 'BIO101', title: 'Biology 101', type: ['CourseSection'] },
    [CLAIM.messageType]: RESOURCE_LINK_REQUEST,
    [CLAIM.resourceLink]: { title: 'Course assistant', description: '', id: '7' },
    given_name: 'Ada',
    family_name: 'Lovelace',
    name: 'Ada Lovelace',
    [CLAIM.ext]: { user_username: 'ada', lms: 'moodle-2' },
    email: 'ada@example.edu',
    [CLAIM.launchPresentation]: { locale: 'en', document_target: 'iframe', return_url: 'https://moodle.example.edu/mod/lti/return.php?course=2&launch_container=3&instanceid=7&sesskey=abc' },
    [CLAIM.toolPlatform]: { product_family_code: 'moodle', version: '2024042200', guid: 'moodle.example.edu', name: 'Example Moodle', description: 'Example University Moodle' },
    [CLAIM.version]: LTI_VERSION,
    [CLAIM.custom]: { course_shortname: 'BIO101', level: 'intro' },
    [CLAIM.ags]: ags('https://moodle.example.edu/mod/lti/services.php/2/lineitems?type_id=1', 'https://moodle.example.edu/mod/lti/services.php/2/lineitems/1/lineitem?type_id=1'),
    [CLAIM.nrps]: nrps('https://moodle.example.edu/mod/lti/services.php/CourseSection/2/bindings/1/memberships'),
  }),
  expected: {
    user: { sub: '2', name: 'Ada Lovelace', given_name: 'Ada', family_name: 'Lovelace', email: 'ada@example.edu', picture: null, locale: null },
    context: { id: '2', label: 'BIO101', title: 'Biology 101', type: ['CourseSection'] },
    custom: { course_shortname: 'BIO101', level: 'intro' },
    services: {
      lineItemsUrl: 'https://moodle.example.edu/mod/lti/services.php/2/lineitems?type_id=1',
      lineItemUrl: 'https://moodle.example.edu/mod/lti/services.php/2/lineitems/1/lineitem?type_id=1',
      membersUrl: 'https://moodle.example.edu/mod/lti/services.php/CourseSection/2/bindings/1/memberships',
    },
    platformGuid: 'moodle.example.edu',
  },
};

/**
 * Blackboard Learn. Source: Anthology's "Sample JWT content" (docs.anthology.com/docs/blackboard/lti/1.3/core/jwt-contents):
 * iss https://blackboard.com for every Learn site, a UUID deployment id and hex sub, locale "en-US",
 * tool_platform with product_family_code BlackboardLearn, lis {person_sourcedid, course_section_sourcedid},
 * launch_presentation.return_url, AGS lineitems with lineitem.readonly, NRPS, and Blackboard's vendor
 * claim https://blackboard.com/lti/claim/one_time_session_token. Roles: membership + institution
 * person roles (Faculty / Student) + system/person#SysAdmin for an administrator.
 */
export const BLACKBOARD: LmsShape = {
  name: 'Blackboard Learn',
  issuer: 'https://blackboard.com',
  clientId: 'a2b4c6d8-1e3f-4a5b-8c7d-9e0f1a2b3c4d',
  deploymentId: '86e8b331-a6cd-486c-b006-9893c749e242',
  loginExtras: {},
  loginMethod: 'GET',
  instructorRoles: [ROLE.membershipInstructor, ROLE.institutionFaculty, ROLE.systemSysAdmin],
  learnerRoles: [ROLE.membershipLearner, ROLE.institutionStudent],
  claims: ({ nonce, targetLinkUri, roles, now }) => ({
    sub: '561ac4762b5142a0b1d3ed1aa40789c1',
    [CLAIM.deploymentId]: BLACKBOARD.deploymentId,
    [CLAIM.version]: LTI_VERSION,
    [CLAIM.ags]: {
      lineitems: 'https://learn.example.edu/learn/api/v1/lti/courses/_4_1/lineItems',
      scope: [
        'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem',
        'https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly',
        'https://purl.imsglobal.org/spec/lti-ags/scope/score',
        'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly',
      ],
    },
    iss: BLACKBOARD.issuer,
    locale: 'en-US',
    [CLAIM.toolPlatform]: {
      name: 'Blackboard, Inc.', description: 'Blackboard, Inc.', guid: '83656022865f4f47a898b986399a01a8',
      product_family_code: 'BlackboardLearn', version: '3900.93.0-rel.59+7d3ba1c', url: 'https://learn.example.edu/', contact_email: 'lms-admin@example.edu',
    },
    [CLAIM.lis]: { person_sourcedid: 'ada.lovelace', course_section_sourcedid: 'BIO101-2026' },
    [CLAIM.launchPresentation]: { return_url: 'https://learn.example.edu/webapps/blackboard/execute/blti/launchReturn?course_id=_4_1&content_id=_44_1', locale: 'en-US' },
    'https://blackboard.com/lti/claim/one_time_session_token': '8d0f4c2e1b7a4a9e9f3c2d1e0a9b8c7d:_4_1',
    aud: BLACKBOARD.clientId,
    [CLAIM.nrps]: nrps('https://learn.example.edu/learn/api/v1/lti/external/namesandroles/_4_1'),
    exp: now + 300,
    iat: now,
    [CLAIM.resourceLink]: { id: '_44_1', title: 'Course assistant', description: '' },
    [CLAIM.context]: { id: '1ba4f3ee2e9a4c9a9a7f0e6c7f3f6b1d', label: 'BIO101', title: 'Biology 101', type: ['http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering'] },
    [CLAIM.messageType]: RESOURCE_LINK_REQUEST,
    [CLAIM.roles]: roles,
    [CLAIM.targetLinkUri]: targetLinkUri,
    [CLAIM.custom]: { bb_course_id: '_4_1', section: 'A' },
    given_name: 'Ada',
    family_name: 'Lovelace',
    name: 'Ada Lovelace',
    email: 'ada@example.edu',
    nonce,
  }),
  expected: {
    user: { sub: '561ac4762b5142a0b1d3ed1aa40789c1', name: 'Ada Lovelace', email: 'ada@example.edu', locale: 'en-US' },
    context: { id: '1ba4f3ee2e9a4c9a9a7f0e6c7f3f6b1d', label: 'BIO101', title: 'Biology 101' },
    custom: { bb_course_id: '_4_1', section: 'A' },
    services: {
      lineItemsUrl: 'https://learn.example.edu/learn/api/v1/lti/courses/_4_1/lineItems',
      lineItemUrl: null,
      membersUrl: 'https://learn.example.edu/learn/api/v1/lti/external/namesandroles/_4_1',
    },
    platformGuid: '83656022865f4f47a898b986399a01a8',
  },
};

/**
 * D2L Brightspace. Sources: Brightspace launches published by the IMS reference tool
 * (lti-ri.imsglobal.org/lti/tools/161/launches/6329: iss https://<tenant>.brightspace.com, UUID aud
 * as a string, UUID deployment id, an `nbf` claim, sub "<guid>_<user id>") and tool code reading
 * D2L's vendor claim "http://www.brightspace.com" {tenant_id, org_defined_id, user_id (a number),
 * username, Context.id.history, ResourceLink.id.history}; roles as institution + membership pairs.
 */
export const BRIGHTSPACE: LmsShape = {
  name: 'Brightspace',
  issuer: 'https://example.brightspace.com',
  clientId: 'ac77a7d3-9547-47af-aa49-7b38b41f8d13',
  deploymentId: '52a170c4-e303-4d63-94a7-6359e2ea3d25',
  loginExtras: {},
  loginMethod: 'GET',
  instructorRoles: [ROLE.institutionInstructor, ROLE.membershipInstructor],
  learnerRoles: [ROLE.institutionStudent, ROLE.membershipLearner],
  claims: ({ nonce, targetLinkUri, roles, now }) => ({
    iss: BRIGHTSPACE.issuer,
    sub: 'f7da5978-25ef-42d0-8ec7-9736337f47f8_169',
    aud: BRIGHTSPACE.clientId,
    exp: now + 1800,
    iat: now,
    nbf: now,
    nonce,
    given_name: 'Ada',
    family_name: 'Lovelace',
    name: 'Ada Lovelace',
    email: 'ada@example.edu',
    'http://www.brightspace.com': {
      tenant_id: '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0', org_defined_id: 'S0042', user_id: 169, username: 'ada',
      'Context.id.history': '', 'ResourceLink.id.history': '',
    },
    [CLAIM.deploymentId]: BRIGHTSPACE.deploymentId,
    [CLAIM.messageType]: RESOURCE_LINK_REQUEST,
    [CLAIM.version]: LTI_VERSION,
    [CLAIM.roles]: roles,
    [CLAIM.context]: { id: '6606', label: 'BIO101', title: 'Biology 101', type: ['http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering'] },
    [CLAIM.resourceLink]: { id: '7c1e5d26-3f0b-4b9e-9c1a-2b3c4d5e6f70', title: 'Course assistant', description: '' },
    [CLAIM.targetLinkUri]: targetLinkUri,
    [CLAIM.launchPresentation]: { document_target: 'iframe', return_url: 'https://example.brightspace.com/d2l/home/6606', locale: 'en-CA' },
    [CLAIM.toolPlatform]: { guid: '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0', product_family_code: 'desire2learn', version: '20.26.1', name: 'Example University Brightspace' },
    [CLAIM.lis]: { person_sourcedid: 'S0042', course_section_sourcedid: 'BIO101-A' },
    [CLAIM.custom]: { orgunit_id: '6606', user_org_defined_id: 'S0042' },
    [CLAIM.ags]: ags('https://example.brightspace.com/d2l/api/lti/ags/2.0/deployment/52a170c4-e303-4d63-94a7-6359e2ea3d25/orgunit/6606/lineitems'),
    [CLAIM.nrps]: nrps('https://example.brightspace.com/d2l/api/lti/nrps/2.0/deployment/52a170c4-e303-4d63-94a7-6359e2ea3d25/orgunit/6606/memberships'),
  }),
  expected: {
    user: { sub: 'f7da5978-25ef-42d0-8ec7-9736337f47f8_169', name: 'Ada Lovelace', email: 'ada@example.edu', locale: null },
    context: { id: '6606', label: 'BIO101', title: 'Biology 101' },
    custom: { orgunit_id: '6606', user_org_defined_id: 'S0042' },
    services: {
      lineItemsUrl: 'https://example.brightspace.com/d2l/api/lti/ags/2.0/deployment/52a170c4-e303-4d63-94a7-6359e2ea3d25/orgunit/6606/lineitems',
      lineItemUrl: null,
      membersUrl: 'https://example.brightspace.com/d2l/api/lti/nrps/2.0/deployment/52a170c4-e303-4d63-94a7-6359e2ea3d25/orgunit/6606/memberships',
    },
    platformGuid: '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
  },
};

export const SHAPES = [CANVAS, MOODLE, BLACKBOARD, BRIGHTSPACE];
