/**
 * Jest snapshot serializer for synthesized templates: asset hashes (the S3 keys of bundled
 * Lambda code) change with every edit to a handler, so they are masked and the snapshot moves
 * only when the infrastructure does.
 */
const ASSET_HASH = /[0-9a-f]{64}/;
const ASSET_HASHES = /[0-9a-f]{64}/g;
const MASK = '[ASSET HASH]';

module.exports = {
  test(value) {
    return typeof value === 'string' && ASSET_HASH.test(value);
  },
  serialize(value, config, indentation, depth, refs, printer) {
    return printer(value.replace(ASSET_HASHES, MASK), config, indentation, depth, refs);
  },
};
