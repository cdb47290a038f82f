/** A request to an admin operation that cannot be carried out as asked (bad or conflicting input). */
export class InvalidAdminInput extends Error {}
