/// <reference types="@stacks/clarinet-sdk/vitest" />
