/**
 * The tag template.yaml and the CDK construct put on the rotation function. `status --all`
 * finds the secrets this project rotates by it: a secret whose RotationLambdaARN names a
 * function carrying it.
 */
export const ROTATION_FUNCTION_TAG = { key: 'momento-secret-rotation', value: 'rotation-function' } as const;
