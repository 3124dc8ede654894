/**
 * A response body that is already JSON text: built from JSON the database stored or assembled, spliced
 * together without parsing it into objects and serialising them again (a /keys/query answer of a thousand
 * devices spent most of its time doing that). Routes send it as it is, as application/json.
 */
export class JsonText {
  constructor(readonly text: string) {}
}
