// A pipeline stage's Web Worker: expose one Stage over comlink. Its output (x or logits) is transferred back,
// never copied, as the weights and inputs are transferred in.
import { expose, transfer } from 'comlink';
import { sendFailuresAsData } from '../boundary.ts';
import { Stage, type StageOutput } from './stage.ts';

class TransferringStage extends Stage {
  override async run(slot: number, input: number[] | Float32Array, pos0: number): Promise<StageOutput> {
    const r = await super.run(slot, input, pos0);
    return transfer(r, [r.out.buffer as ArrayBuffer]);
  }
}

sendFailuresAsData();
expose(new TransferringStage());
