export class BlockList {}
