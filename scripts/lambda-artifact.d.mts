export declare const LAMBDA_ARTIFACT_DIR: string;
export declare const LAMBDA_HANDLER_FILE: string;
