export declare const SAR_TEMPLATE_FILE: string;
export declare function sarTemplate(text: string): string;
